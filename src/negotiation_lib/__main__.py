from negotiation_lib.cli import main

raise SystemExit(main())
