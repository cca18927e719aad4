-- SPDX-License-Identifier: GPL-3.0-or-later
-- Team store security (PostgreSQL), applied by TeamSecurity::install() after the migrations, on the
-- store owner's connection (a superuser, or a role with CREATEROLE that owns the database). Idempotent:
-- running it again replaces the functions and policies. It never runs on a rater's connection.
-- Roles: <g>_owner (NOLOGIN, owns every table and the SECURITY DEFINER functions; nobody signs in as
-- it), <g>_annotator, <g>_qa, <g>_admin (NOLOGIN groups carrying the table grants), where <g> is the
-- database name (shortened with a hash when long, see dl_group). Each DermLabel user is a LOGIN role
-- of the same name, member of exactly one group of this store while active.

-- The name of this store's group role of a kind: roles belong to the whole server, so the groups are
-- named after the database; a name that would pass PostgreSQL's 63 bytes is shortened with a hash.
CREATE OR REPLACE FUNCTION dl_group(kind text) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT CASE WHEN octet_length(current_database()) <= 52 THEN current_database()
                  ELSE left(current_database(), 40) || '_' || left(md5(current_database()), 8) END
             || '_' || kind $$;

DO $$
DECLARE
    db text := current_database();
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['owner', 'annotator', 'qa', 'admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = dl_group(r)) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', dl_group(r));
        END IF;
    END LOOP;
    -- A role with CREATEROLE that is not a superuser must be a member of the owner group to hand
    -- the tables over to it (and so keeps the owner's rights: it installs upgrades).
    IF NOT pg_has_role(current_user, dl_group('owner'), 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', dl_group('owner'), current_user);
    END IF;
    -- The owner creates the login roles of new users (through dl_add_user only: nobody logs in as it).
    EXECUTE format('ALTER ROLE %I CREATEROLE', dl_group('owner'));
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', db);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I', db, dl_group('annotator'), dl_group('qa'),
                   dl_group('admin'));
    EXECUTE 'REVOKE ALL ON SCHEMA public FROM PUBLIC';
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I, %I, %I', dl_group('annotator'), dl_group('qa'),
                   dl_group('admin'));
    EXECUTE format('GRANT ALL ON SCHEMA public TO %I', dl_group('owner'));
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER TABLE %I OWNER TO %I', r, dl_group('owner'));
        EXECUTE format('REVOKE ALL ON TABLE %I FROM PUBLIC', r);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', r);
    END LOOP;
END $$;

-- The signed-in user's row (active users only), resolved once per statement.
CREATE OR REPLACE FUNCTION dl_me() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT id FROM users WHERE name = session_user AND active = 1 $$;

CREATE OR REPLACE FUNCTION dl_my_role() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT role FROM users WHERE name = session_user AND active = 1 $$;

CREATE OR REPLACE FUNCTION dl_is_staff() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT coalesce((SELECT role IN ('qa', 'admin') FROM users WHERE name = session_user AND active = 1), false) $$;

CREATE OR REPLACE FUNCTION dl_is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT coalesce((SELECT role = 'admin' FROM users WHERE name = session_user AND active = 1), false) $$;

-- Whether the signed-in user is assigned this image (annotators see only those).
CREATE OR REPLACE FUNCTION dl_assigned(image bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM assignments WHERE image_id = image AND user_id = dl_me()) $$;

CREATE OR REPLACE FUNCTION dl_case_assigned(c bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM case_images ci JOIN assignments a ON a.image_id = ci.image_id
                     WHERE ci.case_id = c AND a.user_id = dl_me()) $$;

CREATE OR REPLACE FUNCTION dl_my_annotation(annotation bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM annotations WHERE id = annotation AND user_id = dl_me()) $$;

-- A setting, for the row rules; the store's secret (pseudonyms, notification channels) only for admins.
CREATE OR REPLACE FUNCTION dl_setting(k text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT value FROM settings WHERE key = k AND (k <> 'secret' OR dl_is_admin()) $$;

-- Images whose consensus must be recomputed by a QA lead's or an admin's session: an annotator's
-- save cannot read the other raters' labels, so it only marks the image (in consensus_stale) and
-- tells listening sessions (NOTIFY, delivered at commit).
-- (consensus_stale itself is created by a migration, on both engines.)
--
-- Change notifications (StoreChangeListener). PostgreSQL has no permission on LISTEN: any session
-- may listen to any channel it can name. So no channel an annotator can name carries anything an
-- annotator may not know: each channel's name is derived from the store's secret (which only
-- admins read), and a session learns only the names meant for it:
--   dl_my_channel()    the signed-in user's own assignments: 'assignments <image> <user>';
--   dl_staff_channel() QA leads, admins and the owner: every change, 'labels <image>',
--                      'assignments <image> <user>', 'users <user>', 'images', 'adjudications <image>'.
-- Payloads carry ids only, never label contents. dl_channel() is for the triggers only (no group
-- may call it, see the end of this script); nothing is sent on the channel "dermlabel" any more.
CREATE OR REPLACE FUNCTION dl_channel(kind text, who bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public
AS $$ SELECT 'dermlabel_' || kind || '_'
             || left(md5(coalesce((SELECT value FROM settings WHERE key = 'secret'), current_database() || ':no secret')
                         || ':' || kind || ':' || coalesce(who::text, '')), 24) $$;

CREATE OR REPLACE FUNCTION dl_my_channel() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT CASE WHEN dl_me() IS NOT NULL THEN dl_channel('user', dl_me()) END $$;

CREATE OR REPLACE FUNCTION dl_staff_channel() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT CASE WHEN dl_is_staff() OR pg_has_role(session_user, dl_group('owner'), 'MEMBER')
                  THEN dl_channel('staff', NULL) END $$;


CREATE OR REPLACE FUNCTION dl_labels_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
    image bigint;
BEGIN
    IF TG_TABLE_NAME IN ('annotations', 'assignments') THEN
        image := CASE WHEN TG_OP = 'DELETE' THEN OLD.image_id ELSE NEW.image_id END;
    ELSE
        SELECT a.image_id INTO image FROM annotations a
         WHERE a.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.annotation_id ELSE NEW.annotation_id END;
    END IF;
    IF image IS NOT NULL THEN
        INSERT INTO consensus_stale (image_id, marked_at)
        VALUES (image, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        ON CONFLICT (image_id) DO NOTHING;
        IF TG_TABLE_NAME = 'assignments' THEN
            -- The rater's own channel hears of their own assignments only.
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM pg_notify(dl_channel('staff', NULL), 'assignments ' || OLD.image_id || ' ' || OLD.user_id);
                PERFORM pg_notify(dl_channel('user', OLD.user_id), 'assignments ' || OLD.image_id || ' ' || OLD.user_id);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM pg_notify(dl_channel('staff', NULL), 'assignments ' || NEW.image_id || ' ' || NEW.user_id);
                PERFORM pg_notify(dl_channel('user', NEW.user_id), 'assignments ' || NEW.image_id || ' ' || NEW.user_id);
            END IF;
        ELSE
            PERFORM pg_notify(dl_channel('staff', NULL), 'labels ' || image);
        END IF;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dl_annotations_changed ON annotations;
CREATE TRIGGER dl_annotations_changed AFTER INSERT OR UPDATE OR DELETE ON annotations
    FOR EACH ROW EXECUTE FUNCTION dl_labels_changed();
DROP TRIGGER IF EXISTS dl_diagnoses_changed ON annotation_diagnoses;
CREATE TRIGGER dl_diagnoses_changed AFTER INSERT OR UPDATE OR DELETE ON annotation_diagnoses
    FOR EACH ROW EXECUTE FUNCTION dl_labels_changed();
-- A skipped or reassigned image expects other raters: its consensus may change too.
DROP TRIGGER IF EXISTS dl_assignments_changed ON assignments;
CREATE TRIGGER dl_assignments_changed AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION dl_labels_changed();

-- Changes that only need telling (no consensus to mark): masks (regions of a rater's labels),
-- users, imported images (once per statement), adjudications.
CREATE OR REPLACE FUNCTION dl_notify_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
    image bigint;
BEGIN
    IF TG_TABLE_NAME = 'masks' THEN
        SELECT a.image_id INTO image FROM annotations a
         WHERE a.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.annotation_id ELSE NEW.annotation_id END;
        IF image IS NOT NULL THEN
            PERFORM pg_notify(dl_channel('staff', NULL), 'labels ' || image);
        END IF;
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify(dl_channel('staff', NULL), 'users ' || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    ELSIF TG_TABLE_NAME = 'images' THEN
        PERFORM pg_notify(dl_channel('staff', NULL), 'images');
    ELSIF TG_TABLE_NAME = 'adjudications' THEN
        PERFORM pg_notify(dl_channel('staff', NULL), 'adjudications ' || CASE WHEN TG_OP = 'DELETE' THEN OLD.image_id ELSE NEW.image_id END);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dl_masks_changed ON masks;
CREATE TRIGGER dl_masks_changed AFTER INSERT OR UPDATE OR DELETE ON masks
    FOR EACH ROW EXECUTE FUNCTION dl_notify_change();
DROP TRIGGER IF EXISTS dl_users_changed ON users;
CREATE TRIGGER dl_users_changed AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION dl_notify_change();
DROP TRIGGER IF EXISTS dl_images_added ON images;
CREATE TRIGGER dl_images_added AFTER INSERT ON images
    FOR EACH STATEMENT EXECUTE FUNCTION dl_notify_change();
DROP TRIGGER IF EXISTS dl_adjudications_changed ON adjudications;
CREATE TRIGGER dl_adjudications_changed AFTER INSERT OR UPDATE OR DELETE ON adjudications
    FOR EACH ROW EXECUTE FUNCTION dl_notify_change();

-- Grants (to the groups) and policies (rows). `ann`, `qa`, `adm` stand for the three groups.
DO $$
DECLARE
    ann text := quote_ident(dl_group('annotator'));
    qa text := quote_ident(dl_group('qa'));
    adm text := quote_ident(dl_group('admin'));
    allg text;
    t text;
BEGIN
    allg := ann || ', ' || qa || ', ' || adm;
    -- Drop this script's earlier policies so that running it again replaces them.
    FOR t IN SELECT format('DROP POLICY %I ON %I', policyname, tablename) FROM pg_policies
             WHERE schemaname = 'public' AND policyname LIKE 'dl_%' LOOP
        EXECUTE t;
    END LOOP;

    EXECUTE 'GRANT SELECT ON schema_version TO ' || allg;
    EXECUTE 'CREATE POLICY dl_read ON schema_version FOR SELECT USING (true)';

    EXECUTE 'GRANT SELECT ON settings TO ' || allg;
    EXECUTE 'GRANT INSERT, UPDATE ON settings TO ' || qa || ', ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON settings FOR SELECT USING (key <> ''secret'' OR dl_is_admin())';
    EXECUTE 'CREATE POLICY dl_insert ON settings FOR INSERT WITH CHECK (dl_is_admin() OR (dl_is_staff() AND key = ''consensus_quorum''))';
    EXECUTE 'CREATE POLICY dl_update ON settings FOR UPDATE USING (dl_is_admin() OR (dl_is_staff() AND key = ''consensus_quorum''))';

    EXECUTE 'GRANT SELECT ON sources TO ' || allg;
    EXECUTE 'GRANT INSERT, UPDATE, DELETE ON sources, image_files, import_runs TO ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON sources FOR SELECT USING (true)';
    EXECUTE 'CREATE POLICY dl_admin ON sources FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())';
    EXECUTE 'GRANT SELECT ON image_files, import_runs TO ' || adm;
    EXECUTE 'CREATE POLICY dl_admin ON image_files FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())';
    EXECUTE 'CREATE POLICY dl_admin ON import_runs FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())';

    -- Images, cases and their metadata: staff all, annotators those assigned to them.
    EXECUTE 'GRANT SELECT ON images, cases, case_images, case_attributes, reference_labels TO ' || allg;
    EXECUTE 'GRANT INSERT, UPDATE, DELETE ON images, cases, case_images, case_attributes, reference_labels TO ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON images FOR SELECT USING (dl_is_staff() OR dl_assigned(id))';
    EXECUTE 'CREATE POLICY dl_read ON case_images FOR SELECT USING (dl_is_staff() OR dl_assigned(image_id))';
    EXECUTE 'CREATE POLICY dl_read ON cases FOR SELECT USING (dl_is_staff() OR dl_case_assigned(id))';
    EXECUTE 'CREATE POLICY dl_read ON case_attributes FOR SELECT USING (dl_is_staff() OR dl_case_assigned(case_id))';
    -- Reference labels: to raters only in a training store (the admin's switch), for their images.
    EXECUTE 'CREATE POLICY dl_read ON reference_labels FOR SELECT USING (dl_is_staff() OR '
            '(dl_setting(''training_store'') = ''1'' AND dl_case_assigned(case_id)))';
    FOREACH t IN ARRAY ARRAY['images', 'cases', 'case_images', 'case_attributes', 'reference_labels'] LOOP
        EXECUTE format('CREATE POLICY dl_admin ON %I FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())', t);
    END LOOP;

    -- Users: staff read all, an annotator their own row; changes only through the dl_*_user functions.
    EXECUTE 'GRANT SELECT ON users TO ' || allg;
    EXECUTE 'CREATE POLICY dl_read ON users FOR SELECT USING (dl_is_staff() OR name = session_user)';

    -- Assignments: admins assign; an annotator reads theirs and moves their status.
    EXECUTE 'GRANT SELECT ON assignments TO ' || allg;
    EXECUTE 'GRANT UPDATE (status, updated_at) ON assignments TO ' || ann;
    EXECUTE 'GRANT INSERT, UPDATE, DELETE ON assignments TO ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON assignments FOR SELECT USING (dl_is_staff() OR user_id = dl_me())';
    EXECUTE 'CREATE POLICY dl_own ON assignments FOR UPDATE USING (user_id = dl_me()) WITH CHECK (user_id = dl_me())';
    EXECUTE 'CREATE POLICY dl_admin ON assignments FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())';

    -- Labels and masks: an annotator their own, on their assigned images; QA leads read all;
    -- admins may also write (regions imported from other tools as a rater).
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON annotations, annotation_diagnoses, masks TO ' || ann || ', ' || adm;
    EXECUTE 'GRANT SELECT ON annotations, annotation_diagnoses, masks TO ' || qa;
    EXECUTE 'CREATE POLICY dl_own ON annotations FOR ALL USING (user_id = dl_me() AND dl_assigned(image_id)) '
            'WITH CHECK (user_id = dl_me() AND dl_assigned(image_id))';
    EXECUTE 'CREATE POLICY dl_own ON annotation_diagnoses FOR ALL USING (dl_my_annotation(annotation_id)) '
            'WITH CHECK (dl_my_annotation(annotation_id))';
    EXECUTE 'CREATE POLICY dl_own ON masks FOR ALL USING (dl_my_annotation(annotation_id)) '
            'WITH CHECK (dl_my_annotation(annotation_id))';
    FOREACH t IN ARRAY ARRAY['annotations', 'annotation_diagnoses', 'masks'] LOOP
        EXECUTE format('CREATE POLICY dl_staff_read ON %I FOR SELECT USING (dl_is_staff())', t);
        EXECUTE format('CREATE POLICY dl_admin ON %I FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())', t);
    END LOOP;

    -- Consensus and adjudication: QA leads and admins only.
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON consensus, consensus_diagnoses, adjudications, consensus_stale TO ' || qa || ', ' || adm;
    FOREACH t IN ARRAY ARRAY['consensus', 'consensus_diagnoses', 'adjudications', 'consensus_stale'] LOOP
        EXECUTE format('CREATE POLICY dl_staff ON %I FOR ALL USING (dl_is_staff()) WITH CHECK (dl_is_staff())', t);
    END LOOP;

    -- Flags (a possible face): annotators see those of their images; staff review them.
    EXECUTE 'GRANT SELECT ON image_flags TO ' || allg;
    EXECUTE 'GRANT INSERT, UPDATE, DELETE ON image_flags TO ' || qa || ', ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON image_flags FOR SELECT USING (dl_is_staff() OR dl_assigned(image_id))';
    EXECUTE 'CREATE POLICY dl_staff ON image_flags FOR ALL USING (dl_is_staff()) WITH CHECK (dl_is_staff())';

    -- The audit log is append-only: everybody inserts their own entries, staff read (entries carry
    -- label values); nobody but the owner updates or deletes. Each entry's place in the hash chain
    -- (seq, prev_hash, hash) is filled by the BEFORE INSERT trigger dl_audit_chain (migration 6,
    -- SECURITY DEFINER, handed to the owner group below with every dl_ function), whatever a client
    -- sends in those columns.
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ' || allg;
    EXECUTE 'GRANT INSERT ON audit_log TO ' || allg;
    EXECUTE 'GRANT SELECT ON audit_log TO ' || qa || ', ' || adm;
    EXECUTE 'CREATE POLICY dl_append ON audit_log FOR INSERT WITH CHECK (user_id = dl_me() OR (user_id IS NULL AND dl_is_admin()))';
    EXECUTE 'CREATE POLICY dl_read ON audit_log FOR SELECT USING (dl_is_staff())';
END $$;

-- Image files in the server (image_blobs, migration 4): staff read every file, an annotator the
-- files of the images assigned to them; only admins upload or delete (the import).
CREATE OR REPLACE FUNCTION dl_blob_assigned(sha text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM images WHERE sha256 = sha AND dl_assigned(id)) $$;

DO $$
DECLARE
    adm text := quote_ident(dl_group('admin'));
BEGIN
    EXECUTE 'GRANT SELECT ON image_blobs TO ' || quote_ident(dl_group('annotator')) || ', '
            || quote_ident(dl_group('qa')) || ', ' || adm;
    EXECUTE 'GRANT INSERT, DELETE ON image_blobs TO ' || adm;
    EXECUTE 'CREATE POLICY dl_read ON image_blobs FOR SELECT USING (dl_is_staff() OR dl_blob_assigned(sha256))';
    EXECUTE 'CREATE POLICY dl_admin ON image_blobs FOR ALL USING (dl_is_admin()) WITH CHECK (dl_is_admin())';
END $$;

-- User management: a DermLabel user of this store is a login role of the same name in the store's
-- group for their role. Only admins (or the owner, for the first admin) call these.
CREATE OR REPLACE FUNCTION dl_check_admin() RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    IF NOT (dl_is_admin() OR pg_has_role(session_user, dl_group('owner'), 'MEMBER')) THEN
        RAISE EXCEPTION 'Only an administrator of this store may change users.' USING ERRCODE = '42501';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dl_grant_group(p_name text, p_role text, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
    g text;
BEGIN
    FOREACH g IN ARRAY ARRAY['annotator', 'qa', 'admin'] LOOP
        IF p_active AND g = p_role THEN
            EXECUTE format('GRANT %I TO %I', dl_group(g), p_name);
        ELSIF pg_has_role(p_name, dl_group(g), 'MEMBER') THEN
            EXECUTE format('REVOKE %I FROM %I', dl_group(g), p_name);
        END IF;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION dl_add_user(p_name text, p_display text, p_role text, p_password text, p_active boolean,
                                       p_at text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM dl_check_admin();
    IF p_name !~ '^[a-z][a-z0-9._-]{0,62}$' THEN
        RAISE EXCEPTION 'Invalid user name: %', p_name USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        IF p_password IS NULL OR length(p_password) = 0 THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p_name);
        ELSE
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_password);
        END IF;
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name AND (rolsuper OR NOT rolcanlogin)) THEN
        RAISE EXCEPTION 'The server role % cannot be a DermLabel user.', p_name USING ERRCODE = '42501';
    END IF;
    INSERT INTO users (name, display_name, role, password_hash, active, created_at)
    VALUES (p_name, coalesce(p_display, ''), p_role, 'server', CASE WHEN p_active THEN 1 ELSE 0 END, p_at)
    RETURNING id INTO new_id;
    PERFORM dl_grant_group(p_name, p_role, p_active);
    RETURN new_id;
END $$;

CREATE OR REPLACE FUNCTION dl_set_user(p_name text, p_role text, p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    PERFORM dl_check_admin();
    UPDATE users SET role = p_role, active = CASE WHEN p_active THEN 1 ELSE 0 END WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No user %', p_name USING ERRCODE = '02000';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND active = 1) THEN
        RAISE EXCEPTION 'The store needs at least one active administrator.' USING ERRCODE = '23514';
    END IF;
    PERFORM dl_grant_group(p_name, p_role, p_active);
END $$;

CREATE OR REPLACE FUNCTION dl_set_password(p_name text, p_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    IF p_name <> session_user THEN
        PERFORM dl_check_admin();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE name = p_name) THEN
        RAISE EXCEPTION 'No user %', p_name USING ERRCODE = '02000';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_password);
END $$;

-- A user row copied in with its id (dermlabel-cli migrate): its login role, created without a password
-- when missing (an administrator sets one), and its group. Returns whether the role was created here.
CREATE OR REPLACE FUNCTION dl_adopt_user(p_name text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
    u_role text;
    u_active integer;
    created boolean := false;
BEGIN
    PERFORM dl_check_admin();
    SELECT role, active INTO u_role, u_active FROM users WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No user %', p_name USING ERRCODE = '02000';
    END IF;
    IF p_name !~ '^[a-z][a-z0-9._-]{0,62}$' THEN
        RAISE EXCEPTION 'Invalid user name: %', p_name USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', p_name);
        created := true;
    ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name AND (rolsuper OR NOT rolcanlogin)) THEN
        RAISE EXCEPTION 'The server role % cannot be a DermLabel user.', p_name USING ERRCODE = '42501';
    END IF;
    PERFORM dl_grant_group(p_name, u_role, u_active = 1);
    RETURN created;
END $$;

DO $$
DECLARE
    f text;
BEGIN
    FOR f IN SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proname LIKE 'dl\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', f, dl_group('owner'));
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I, %I, %I', f, dl_group('annotator'),
                       dl_group('qa'), dl_group('admin'));
    END LOOP;
    -- Whoever could call dl_channel() could name any rater's channel: the triggers only.
    EXECUTE format('REVOKE EXECUTE ON FUNCTION dl_channel(text, bigint) FROM %I, %I, %I', dl_group('annotator'),
                   dl_group('qa'), dl_group('admin'));
END $$;
