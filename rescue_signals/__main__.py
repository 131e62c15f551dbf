from rescue_signals.cli import main

raise SystemExit(main())
