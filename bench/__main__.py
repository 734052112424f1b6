from bench import budgets, debates, legislation, polls, proposals

status = debates.main()
# The later stages run on the same database, after the debates, whatever their result.
for stage in (proposals, polls, legislation, budgets):
    status = stage.main() or status
raise SystemExit(status)
