"""The ``jsna`` command line: wires the stages together and turns errors into exit codes."""
