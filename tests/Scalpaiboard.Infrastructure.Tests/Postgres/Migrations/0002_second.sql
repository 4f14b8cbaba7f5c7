CREATE TABLE IF NOT EXISTS second_table (id integer);
