-- `svitok verify` finds the server's own record of a signature by its certificate's serial:
-- the record's time, not the signer's claim, is the time of signing.
CREATE INDEX signatures_by_serial ON signatures (serial);
