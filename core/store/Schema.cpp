// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Schema.h"

#include "store/AuditLog.h"

using namespace Qt::StringLiterals;

namespace dl {

static Migration version1()
{
    Migration m;
    m.version = 1;
    m.description = u"images, cases, metadata, reference labels, users, annotations, masks, audit"_s;
    m.statements = {
        u"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s,

        // A dataset (or folder) that images came from, with its licence terms.
        u"CREATE TABLE sources ("
        " id {id},"
        " kind TEXT NOT NULL CHECK (kind IN ('folder', 'scin', 'passion')),"
        " name TEXT NOT NULL,"
        " root_path TEXT NOT NULL,"
        " licence TEXT NOT NULL DEFAULT '',"
        " attribution TEXT NOT NULL DEFAULT '',"
        " ids_public INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL,"
        " UNIQUE (kind, root_path))"_s,

        // One row per distinct content (SHA-256). public_id is pseudonymous.
        u"CREATE TABLE images ("
        " id {id},"
        " public_id TEXT NOT NULL UNIQUE,"
        " sha256 TEXT NOT NULL UNIQUE,"
        " format TEXT NOT NULL,"
        " width INTEGER NOT NULL CHECK (width > 0),"
        " height INTEGER NOT NULL CHECK (height > 0),"
        " orientation INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),"
        " byte_size {bigint} NOT NULL,"
        " thumbnail {blob},"
        " thumbnail_width INTEGER NOT NULL DEFAULT 0,"
        " thumbnail_height INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL)"_s,

        // Where each image was read from: for admins only, never exported.
        u"CREATE TABLE image_files ("
        " id {id},"
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " source_id {bigint} NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " source_path TEXT NOT NULL,"
        " file_size {bigint} NOT NULL,"
        " file_mtime TEXT NOT NULL,"
        " imported_at TEXT NOT NULL,"
        " UNIQUE (source_id, source_path))"_s,
        u"CREATE INDEX image_files_image ON image_files (image_id)"_s,

        // A case groups the images of one contributor (SCIN case, PASSION subject).
        u"CREATE TABLE cases ("
        " id {id},"
        " public_id TEXT NOT NULL UNIQUE,"
        " source_id {bigint} NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " source_case_id TEXT NOT NULL,"
        " age_group TEXT,"
        " age_years INTEGER,"
        " sex TEXT,"
        " skin_type_self TEXT,"
        " body_sites TEXT,"
        " symptoms TEXT,"
        " duration TEXT,"
        " country TEXT,"
        " licence_tag TEXT,"
        " split TEXT,"
        " created_at TEXT NOT NULL,"
        " UNIQUE (source_id, source_case_id))"_s,

        u"CREATE TABLE case_images ("
        " case_id {bigint} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL,"
        " shot_type TEXT,"
        " PRIMARY KEY (case_id, image_id))"_s,
        u"CREATE INDEX case_images_image ON case_images (image_id)"_s,

        // Every source column of a case, as read.
        u"CREATE TABLE case_attributes ("
        " case_id {bigint} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " PRIMARY KEY (case_id, name))"_s,

        // Labels that came with a dataset. rater is '' for case-level labels.
        u"CREATE TABLE reference_labels ("
        " id {id},"
        " case_id {bigint} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
        " rater TEXT NOT NULL DEFAULT '',"
        " field TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " UNIQUE (case_id, rater, field))"_s,

        u"CREATE TABLE users ("
        " id {id},"
        " name TEXT NOT NULL UNIQUE,"
        " display_name TEXT NOT NULL DEFAULT '',"
        " role TEXT NOT NULL CHECK (role IN ('annotator', 'qa', 'admin')),"
        " password_hash TEXT NOT NULL,"
        " active INTEGER NOT NULL DEFAULT 1,"
        " created_at TEXT NOT NULL)"_s,

        u"CREATE TABLE assignments ("
        " id {id},"
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
        " status TEXT NOT NULL DEFAULT 'todo'"
        "  CHECK (status IN ('todo', 'in_progress', 'done', 'skipped', 'flagged')),"
        " assigned_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL,"
        " UNIQUE (image_id, user_id))"_s,
        u"CREATE INDEX assignments_user ON assignments (user_id, status)"_s,

        u"CREATE TABLE annotations ("
        " id {id},"
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
        " gradable INTEGER,"
        " ungradable_reason TEXT,"
        " visible_condition TEXT,"
        " sensitive INTEGER,"
        " identifying TEXT,"
        " cannot_determine INTEGER NOT NULL DEFAULT 0,"
        " fitzpatrick TEXT,"
        " monk TEXT,"
        " note TEXT NOT NULL DEFAULT '',"
        " created_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL,"
        " UNIQUE (image_id, user_id))"_s,

        u"CREATE TABLE annotation_diagnoses ("
        " annotation_id {bigint} NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),"
        " condition_id TEXT NOT NULL,"
        " confidence INTEGER CHECK (confidence BETWEEN 1 AND 5),"
        " PRIMARY KEY (annotation_id, position))"_s,

        u"CREATE TABLE masks ("
        " id {id},"
        " annotation_id {bigint} NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,"
        " layer TEXT NOT NULL,"
        " version INTEGER NOT NULL,"
        " encoding TEXT NOT NULL,"
        " width INTEGER NOT NULL,"
        " height INTEGER NOT NULL,"
        " data {blob} NOT NULL,"
        " created_at TEXT NOT NULL,"
        " UNIQUE (annotation_id, layer, version))"_s,

        u"CREATE TABLE audit_log ("
        " id {id},"
        " at TEXT NOT NULL,"
        " user_id {bigint} REFERENCES users(id) ON DELETE SET NULL,"
        " action TEXT NOT NULL,"
        " entity TEXT NOT NULL,"
        " entity_id {bigint},"
        " detail TEXT NOT NULL DEFAULT '')"_s,

        // Each import, so that an interrupted one can be found and resumed.
        u"CREATE TABLE import_runs ("
        " id {id},"
        " source_id {bigint} NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " started_at TEXT NOT NULL,"
        " finished_at TEXT,"
        " status TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'interrupted', 'failed')),"
        " report TEXT NOT NULL DEFAULT '')"_s,
    };
    return m;
}

static Migration version2()
{
    Migration m;
    m.version = 2;
    m.description = u"consensus, adjudications, image flags"_s;
    m.statements = {
        // The consensus of each label field of an image, recomputed whenever its labels change.
        // status: agreed (a value reached the quorum), pending (not agreed while assigned raters
        // have still to label the image), adjudicate (tie or no quorum with every rater in),
        // adjudicated (a QA lead's decision, which overrides the vote).
        u"CREATE TABLE consensus ("
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " field TEXT NOT NULL,"
        " value TEXT,"
        " status TEXT NOT NULL CHECK (status IN ('agreed', 'pending', 'adjudicate', 'adjudicated')),"
        " reason TEXT NOT NULL DEFAULT '',"
        " votes INTEGER NOT NULL DEFAULT 0,"
        " ratings INTEGER NOT NULL DEFAULT 0,"
        " computed_at TEXT NOT NULL,"
        " PRIMARY KEY (image_id, field))"_s,
        u"CREATE INDEX consensus_status ON consensus (status)"_s,

        // The weighted differential of an image (rank weights 1, 1/2, 1/3 summed over raters,
        // normalised to 1), in order of weight.
        u"CREATE TABLE consensus_diagnoses ("
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL,"
        " condition_id TEXT NOT NULL,"
        " weight {real} NOT NULL,"
        " PRIMARY KEY (image_id, position))"_s,

        // A QA lead's decision on one field of one image; the latest decision stands, every
        // decision is also in the audit log.
        u"CREATE TABLE adjudications ("
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " field TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " reason TEXT NOT NULL CHECK (length(reason) > 0),"
        " user_id {bigint} REFERENCES users(id) ON DELETE SET NULL,"
        " decided_at TEXT NOT NULL,"
        " PRIMARY KEY (image_id, field))"_s,

        // Automatic checks on an image that need a person's review (for example a possible face).
        u"CREATE TABLE image_flags ("
        " image_id {bigint} NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " kind TEXT NOT NULL,"
        " detail TEXT NOT NULL DEFAULT '',"
        " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),"
        " created_at TEXT NOT NULL,"
        " resolved_by {bigint} REFERENCES users(id) ON DELETE SET NULL,"
        " resolved_at TEXT,"
        " PRIMARY KEY (image_id, kind))"_s,
    };
    return m;
}

static Migration version3()
{
    Migration m;
    m.version = 3;
    m.description = u"images whose consensus must be recomputed"_s;
    m.statements = {
        // On a team store an annotator's save cannot read the other raters' labels: a trigger only
        // marks the image here, and a QA lead's or an admin's session recomputes its consensus.
        u"CREATE TABLE consensus_stale ("
        " image_id {bigint} PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,"
        " marked_at TEXT NOT NULL)"_s,
    };
    return m;
}

static Migration version4()
{
    Migration m;
    m.version = 4;
    m.description = u"image files in the store (team stores)"_s;
    m.statements = {
        // A team store keeps its image files in the server, content-addressed by SHA-256, in
        // chunks of 1 MiB (ImageBlobRepository::ChunkSize) so that no row is large and a download
        // streams. Every chunk row carries the file's chunk count and size: a missing or truncated
        // chunk shows without reading the data. Empty on SQLite (files beside the store).
        u"CREATE TABLE image_blobs ("
        " sha256 TEXT NOT NULL,"
        " chunk INTEGER NOT NULL CHECK (chunk >= 0),"
        " chunk_count INTEGER NOT NULL CHECK (chunk_count > 0 AND chunk < chunk_count),"
        " total_size {bigint} NOT NULL CHECK (total_size >= 0),"
        " data {blob} NOT NULL,"
        " PRIMARY KEY (sha256, chunk))"_s,
    };
    return m;
}

static Migration version5()
{
    Migration m;
    m.version = 5;
    m.description = u"label row versions"_s;
    m.statements = {
        // One more with each save of a rater's labels: a save names the version it was based on and
        // is refused when the row moved on (the same rater in two windows or on two workstations).
        u"ALTER TABLE annotations ADD COLUMN version INTEGER NOT NULL DEFAULT 1"_s,
    };
    return m;
}

static Migration version6()
{
    Migration m;
    m.version = 6;
    m.description = u"audit log hash chain"_s;
    m.statements = {
        // Each entry's place in the chain: seq without gaps, the previous entry's hash, its own
        // (AuditLog). The entries written before are sealed in id order by the step below.
        u"ALTER TABLE audit_log ADD COLUMN seq {bigint}"_s,
        u"ALTER TABLE audit_log ADD COLUMN prev_hash TEXT"_s,
        u"ALTER TABLE audit_log ADD COLUMN hash TEXT"_s,
        u"CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq)"_s,
    };
    m.after = AuditLog::sealForMigration;
    return m;
}

static Migration version7()
{
    Migration m;
    m.version = 7;
    m.description = u"change notifications per user (team store rules)"_s;
    // Nothing changes in the tables: a team store's rules (team_security.sql) send each rater's
    // assignment changes on a channel of their own and everything else on a channel for QA leads
    // and admins only. The step makes raters' workstations wait until an administrator has
    // installed those rules (dermlabel-cli init), as for any schema change.
    return m;
}

QList<Migration> Schema::migrations()
{
    return {version1(), version2(), version3(), version4(), version5(), version6(), version7()};
}

} // namespace dl
