-- A grab's row stores no JSON: everything its event says is in its columns (event id, promotion, sequence, customer,
-- time) but the discount, which its promotion's start fixed (EventRows in shared makes the event back). The JSON was
-- about 200 of the ~560 bytes a grab took in WriteDB (data and indexes). Starts and finishes keep theirs.
ALTER TABLE events MODIFY payload TEXT NULL;
