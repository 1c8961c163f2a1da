-- A password someone else chose (the first admin's printed one, or one an admin set) must be
-- changed by its user at their next sign-in; their own new password clears it.
ALTER TABLE users ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT FALSE;
