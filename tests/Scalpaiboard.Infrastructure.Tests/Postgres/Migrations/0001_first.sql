CREATE TABLE IF NOT EXISTS first_table (id integer);
