-- Indexes for the public registry's reads: as-of queries (`issued <= date`) and the filters the
-- registry pushes into SQL. Portable: plain B-tree indexes on TEXT columns.
CREATE INDEX certificates_issued ON certificates (issued);
CREATE INDEX certificates_provider ON certificates (provider_id);
CREATE INDEX certificates_tier ON certificates (tier, service_type);
