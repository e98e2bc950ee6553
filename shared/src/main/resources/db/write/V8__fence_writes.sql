-- On a Galera cluster the fence (SPEC I9) writes its partition's row: every append bumps fence. A fence that only
-- matched the row (SET epoch = epoch, still the fence on one server, where its row lock suffices) changes nothing, so
-- on Galera its write-set carried no key of the lease row and a stale owner's append, run on a node that had not yet
-- applied the new owner's claim, passed certification. A real write of the row makes that append conflict with the
-- claim (1213 at COMMIT).
ALTER TABLE partition_leases ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;
