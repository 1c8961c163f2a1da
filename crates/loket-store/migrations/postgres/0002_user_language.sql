-- The language a signed-in user chose for the pages (`id`, `en`); none: the browser's choice.
ALTER TABLE users ADD COLUMN language TEXT;
