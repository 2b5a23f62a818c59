-- Whether UpdateAccountPasswordPolicy was given HardExpiry: AWS leaves
-- HardExpiry out of GetAccountPasswordPolicy when it never was. Policies
-- written before keep answering it, as they did.
ALTER TABLE password_policies ADD COLUMN hard_expiry_set {{bool}} NOT NULL DEFAULT {{true}};
