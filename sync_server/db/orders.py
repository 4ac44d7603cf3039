"""The schema of reconciliation's tables: ``MIGRATIONS`` and nothing else (no queries).

``MIGRATIONS`` creates every table reconciliation keeps, so that they are made together: the index
of facts (read and written by ``recon_facts.py``), the orders (``work_orders.py``) and what bounds a replay
(``replays.py``). The module keeps its name because the database stores each migration as ``orders.<name>``.
Findings: ``findings.py``.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_orders",
        """
        CREATE TABLE recon_facts (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            type TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_role TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            local_day TEXT NOT NULL,
            clock_flag TEXT,
            source TEXT NOT NULL DEFAULT 'device',
            stream TEXT,
            order_ref TEXT,
            visit_id TEXT,
            place_id TEXT,
            route_id TEXT,
            round_id TEXT,
            checkpoint_id TEXT,
            permit_id TEXT,
            slot TEXT,
            supersedes TEXT,
            body TEXT NOT NULL
        );
        CREATE INDEX recon_facts_stream ON recon_facts (stream);
        CREATE INDEX recon_facts_parked ON recon_facts (order_ref) WHERE stream IS NULL;
        CREATE INDEX recon_facts_visit ON recon_facts (visit_id) WHERE visit_id IS NOT NULL;
        CREATE INDEX recon_facts_round ON recon_facts (round_id) WHERE round_id IS NOT NULL;
        CREATE INDEX recon_facts_day ON recon_facts (property_id, local_day, type);
        CREATE INDEX recon_facts_supersedes ON recon_facts (supersedes) WHERE supersedes IS NOT NULL;
        CREATE TABLE work_orders (
            id TEXT PRIMARY KEY,
            property_id TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            stream TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            place_id TEXT,
            assignee_id TEXT,
            responsible_id TEXT,
            reported_at TEXT NOT NULL,
            due_at TEXT,
            data TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '[]',
            visit_scopes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX work_orders_stream ON work_orders (stream);
        CREATE INDEX work_orders_property ON work_orders (property_id, state, due_at);
        CREATE TABLE work_order_numbers (
            year INTEGER PRIMARY KEY,
            last INTEGER NOT NULL
        );
        CREATE TABLE property_rules (
            property_id TEXT PRIMARY KEY,
            rectification_hours INTEGER NOT NULL
        );
        """,
    ),
    (
        "0002_bounded_replay",
        # what lets reconciliation replay a stream from its latest rest point instead of from its first fact
        """
        CREATE INDEX recon_facts_stream_key ON recon_facts (stream, effective_at, id);
        ALTER TABLE work_orders ADD COLUMN root_id TEXT;
        UPDATE work_orders SET root_id = json_extract(data, '$.root_id');
        CREATE INDEX work_orders_root ON work_orders (root_id);
        CREATE TABLE work_order_aliases (
            alias TEXT PRIMARY KEY,
            order_id TEXT NOT NULL
        );
        CREATE INDEX work_order_aliases_order ON work_order_aliases (order_id);
        INSERT OR IGNORE INTO work_order_aliases (alias, order_id)
            SELECT 'wo-' || json_extract(e.value, '$.record_id'), w.id
            FROM work_orders w, json_each(w.data, '$.history') e
            WHERE json_extract(e.value, '$.action') IN ('reported', 'reported_again', 'violations_found_again');
        CREATE TABLE recon_rest_points (
            stream TEXT NOT NULL,
            effective_at TEXT NOT NULL,
            fact_id TEXT NOT NULL,
            PRIMARY KEY (stream, effective_at, fact_id)
        ) WITHOUT ROWID;
        CREATE TABLE recon_streams (
            stream TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            start_at TEXT,
            start_id TEXT,
            last_at TEXT,
            last_id TEXT
        );
        """,
    ),
    (
        # a stream's running replay is kept here, not in a process: any worker continues it (a cache: dropping it
        # only makes the next batch replay from the latest rest point)
        "0003_replay_state_stored",
        """
        DROP TABLE recon_streams;
        CREATE TABLE recon_streams (
            stream TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            version TEXT NOT NULL,
            start_at TEXT,
            start_id TEXT,
            last_at TEXT,
            last_id TEXT,
            state BLOB NOT NULL,
            unsaved INTEGER NOT NULL
        );
        """,
    ),
    (
        # an order's history is appended, one row a step: the thousandth report of a leak writes one row, not the
        # whole order again; the order's data keeps the count
        "0004_order_history_rows",
        """
        CREATE TABLE work_order_events (
            order_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            record_id TEXT,
            data TEXT NOT NULL,
            PRIMARY KEY (order_id, seq)
        ) WITHOUT ROWID;
        -- sqlite only
        INSERT INTO work_order_events (order_id, seq, action, at, record_id, data)
            SELECT w.id, e.key, json_extract(e.value, '$.action'), json_extract(e.value, '$.at'),
                json_extract(e.value, '$.record_id'), e.value
            FROM work_orders w, json_each(w.data, '$.history') e;
        -- sqlite only
        UPDATE work_orders SET data = json_set(json_remove(data, '$.history'), '$.history_total',
            json_array_length(data, '$.history'));
        """,
    ),
]
