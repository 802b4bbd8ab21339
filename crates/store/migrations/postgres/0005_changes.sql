-- What a running server must see when another process (the CLI, another
-- server on the same PostgreSQL) changes the database: a counter per topic
-- (a new run; the catalog and its adoptions; the communities), bumped by
-- triggers, so that no writer can forget to. Servers poll it; on PostgreSQL
-- the triggers also NOTIFY the channel `cantiere_changes`. Sessions and
-- reset tokens change no page and are left out.
CREATE TABLE change_counter (
    topic TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO change_counter (topic, n) VALUES ('run', 0), ('catalog', 0), ('community', 0);
CREATE FUNCTION cantiere_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET n = n + 1 WHERE topic = TG_ARGV[0];
    PERFORM pg_notify('cantiere_changes', TG_ARGV[0]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER run_changes AFTER INSERT OR UPDATE OR DELETE ON run FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('run');
CREATE TRIGGER solution_changes AFTER INSERT OR UPDATE OR DELETE ON solution FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('catalog');
CREATE TRIGGER adoption_changes AFTER INSERT OR UPDATE OR DELETE ON adoption FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('catalog');
CREATE TRIGGER adoption_event_changes AFTER INSERT OR UPDATE OR DELETE ON adoption_event FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('catalog');
CREATE TRIGGER account_changes AFTER INSERT OR UPDATE OR DELETE ON account FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER editor_changes AFTER INSERT OR UPDATE OR DELETE ON editor FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER thematic_area_changes AFTER INSERT OR UPDATE OR DELETE ON thematic_area FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER community_changes AFTER INSERT OR UPDATE OR DELETE ON community FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER coordinator_changes AFTER INSERT OR UPDATE OR DELETE ON coordinator FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER membership_changes AFTER INSERT OR UPDATE OR DELETE ON membership FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER meeting_changes AFTER INSERT OR UPDATE OR DELETE ON meeting FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER meeting_registration_changes AFTER INSERT OR UPDATE OR DELETE ON meeting_registration FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER resource_changes AFTER INSERT OR UPDATE OR DELETE ON resource FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER thread_changes AFTER INSERT OR UPDATE OR DELETE ON thread FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER consultation_changes AFTER INSERT OR UPDATE OR DELETE ON consultation FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER proposal_changes AFTER INSERT OR UPDATE OR DELETE ON proposal FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER support_changes AFTER INSERT OR UPDATE OR DELETE ON support FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
CREATE TRIGGER post_changes AFTER INSERT OR UPDATE OR DELETE ON post FOR EACH STATEMENT EXECUTE FUNCTION cantiere_changed('community');
