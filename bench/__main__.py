from bench.debates import main

raise SystemExit(main())
