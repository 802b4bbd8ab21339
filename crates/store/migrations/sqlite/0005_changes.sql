-- What a running server must see when another process (the CLI, another
-- server on the same PostgreSQL) changes the database: a counter per topic
-- (a new run; the catalog and its adoptions; the communities), bumped by
-- triggers, so that no writer can forget to. Servers poll it; on PostgreSQL
-- the triggers also NOTIFY the channel `cantiere_changes`. Sessions and
-- reset tokens change no page and are left out.
CREATE TABLE change_counter (
    topic TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
INSERT INTO change_counter (topic, n) VALUES ('run', 0), ('catalog', 0), ('community', 0);
CREATE TRIGGER run_insert_changes AFTER INSERT ON run BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'run'; END;
CREATE TRIGGER run_update_changes AFTER UPDATE ON run BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'run'; END;
CREATE TRIGGER run_delete_changes AFTER DELETE ON run BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'run'; END;
CREATE TRIGGER solution_insert_changes AFTER INSERT ON solution BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER solution_update_changes AFTER UPDATE ON solution BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER solution_delete_changes AFTER DELETE ON solution BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_insert_changes AFTER INSERT ON adoption BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_update_changes AFTER UPDATE ON adoption BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_delete_changes AFTER DELETE ON adoption BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_event_insert_changes AFTER INSERT ON adoption_event BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_event_update_changes AFTER UPDATE ON adoption_event BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER adoption_event_delete_changes AFTER DELETE ON adoption_event BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'catalog'; END;
CREATE TRIGGER account_insert_changes AFTER INSERT ON account BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER account_update_changes AFTER UPDATE ON account BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER account_delete_changes AFTER DELETE ON account BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER editor_insert_changes AFTER INSERT ON editor BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER editor_update_changes AFTER UPDATE ON editor BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER editor_delete_changes AFTER DELETE ON editor BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thematic_area_insert_changes AFTER INSERT ON thematic_area BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thematic_area_update_changes AFTER UPDATE ON thematic_area BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thematic_area_delete_changes AFTER DELETE ON thematic_area BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER community_insert_changes AFTER INSERT ON community BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER community_update_changes AFTER UPDATE ON community BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER community_delete_changes AFTER DELETE ON community BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER coordinator_insert_changes AFTER INSERT ON coordinator BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER coordinator_update_changes AFTER UPDATE ON coordinator BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER coordinator_delete_changes AFTER DELETE ON coordinator BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER membership_insert_changes AFTER INSERT ON membership BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER membership_update_changes AFTER UPDATE ON membership BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER membership_delete_changes AFTER DELETE ON membership BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_insert_changes AFTER INSERT ON meeting BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_update_changes AFTER UPDATE ON meeting BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_delete_changes AFTER DELETE ON meeting BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_registration_insert_changes AFTER INSERT ON meeting_registration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_registration_update_changes AFTER UPDATE ON meeting_registration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER meeting_registration_delete_changes AFTER DELETE ON meeting_registration BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER resource_insert_changes AFTER INSERT ON resource BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER resource_update_changes AFTER UPDATE ON resource BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER resource_delete_changes AFTER DELETE ON resource BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thread_insert_changes AFTER INSERT ON thread BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thread_update_changes AFTER UPDATE ON thread BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER thread_delete_changes AFTER DELETE ON thread BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER consultation_insert_changes AFTER INSERT ON consultation BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER consultation_update_changes AFTER UPDATE ON consultation BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER consultation_delete_changes AFTER DELETE ON consultation BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER proposal_insert_changes AFTER INSERT ON proposal BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER proposal_update_changes AFTER UPDATE ON proposal BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER proposal_delete_changes AFTER DELETE ON proposal BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER support_insert_changes AFTER INSERT ON support BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER support_update_changes AFTER UPDATE ON support BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER support_delete_changes AFTER DELETE ON support BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER post_insert_changes AFTER INSERT ON post BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER post_update_changes AFTER UPDATE ON post BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
CREATE TRIGGER post_delete_changes AFTER DELETE ON post BEGIN UPDATE change_counter SET n = n + 1 WHERE topic = 'community'; END;
