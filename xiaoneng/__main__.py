from xiaoneng.cli import main

raise SystemExit(main())
