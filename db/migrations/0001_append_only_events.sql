-- The event log and match history are evidence: once written, never changed.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER match_events_no_update BEFORE UPDATE ON match_events BEGIN SELECT RAISE(ABORT, 'match history is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER match_events_no_delete BEFORE DELETE ON match_events BEGIN SELECT RAISE(ABORT, 'match history is append-only'); END;
