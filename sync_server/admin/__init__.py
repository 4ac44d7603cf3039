"""Administration of a property: the one service layer every setup path uses (API, command line, import, demo).

Each function checks its input and who acts (``common.Actor``), writes in the caller's transaction, publishes the
change to the phones' feed and appends an audit row. Modules by area: ``properties``, ``places``, ``routes``
(with checkpoints), ``permits``, ``users``; ``common`` holds what they share, ``audit`` reads the log.
"""
