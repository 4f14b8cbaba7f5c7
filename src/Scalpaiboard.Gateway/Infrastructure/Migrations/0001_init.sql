-- The Gateway service's tables; the first migration creates the schema's history only.
SELECT 1;
