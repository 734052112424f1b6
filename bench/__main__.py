from bench import debates, proposals

status = debates.main()
# The proposals run on the same database, after the debates, whatever their result.
status = proposals.main() or status
raise SystemExit(status)
