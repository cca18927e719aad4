// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli init, stats, check and users.
#include "Cli.h"

#include "import/ImportService.h" // ImportProgress
#include "model/Role.h"
#include "store/Store.h"
#include "store/StoreBackup.h"
#include "store/StoreInspector.h"
#include "store/StoreLocation.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"
#include "users/UserService.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

int Cli::initCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"admin"_s,
                      tr("A team store's first administrator (a server login role is created; the password is "
                         "read from standard input)."),
                      tr("NAME")});
    int exitCode = Ok;
    if (!parse(parser, args, u"init"_s, tr("Create a new, empty store, or bring a team store up to date."), true,
               &exitCode))
        return exitCode;
    const QString path = parser.value(u"store"_s);
    QString error;
    const StoreLocation location = StoreLocation::parse(path, &error);
    if (!location.isValid())
        return failure(error);
    const QString adminName = parser.value(u"admin"_s);
    if (!adminName.isEmpty() && !UserService::isValidName(adminName, &error))
        return usageError(error);
    if (!location.isPostgres()) {
        if (!adminName.isEmpty())
            return usageError(tr("init: --admin is for a team store (postgresql:// URL)."));
        auto store = Store::open(location, Store::OpenMode::CreateNew, &error);
        if (!store)
            return failure(error);
        if (json())
            printJson({{u"ok"_s, true}, {u"store"_s, store->path()}, {u"schema_version"_s, store->schemaVersion()}});
        else
            out() << tr("Created the store %1 (schema %2).").arg(store->displayName()).arg(store->schemaVersion())
                  << u'\n';
        return Ok;
    }
    return initTeamStore(location, adminName);
}

int Cli::initTeamStore(const StoreLocation &location, const QString &adminName)
{
    // An existing DermLabel store is brought up to date (schema and security
    // rules); anything else must be a new or an empty database.
    QString error;
    const bool existing = TeamSecurity::holdsStore(location, &error);
    if (!error.isEmpty())
        return failure(error);
    if (!existing && adminName.isEmpty())
        return usageError(tr("init: a new team store needs its first administrator: --admin NAME (the password is "
                             "read from standard input)."));
    QString adminPassword;
    if (!adminName.isEmpty()) {
        bool ok = false;
        adminPassword = readPassword(tr("Password for %1: ").arg(adminName), true, &ok);
        if (!ok || adminPassword.isEmpty())
            return usageError(tr("init: no password for %1 on standard input.").arg(adminName));
        if (!UserService::checkNewPassword(adminPassword, &error))
            return usageError(error);
    }
    auto store = Store::open(location, existing ? Store::OpenMode::MustExist : Store::OpenMode::CreateNew, &error);
    if (!store)
        return failure(error);
    if (!TeamSecurity::install(store->db(), &error))
        return failure(error);
    QString readError;
    const qint64 admins = UserRepository(*store).countActive(Role::Admin, &readError);
    if (!readError.isEmpty())
        return failure(readError);
    if (!adminName.isEmpty()) {
        if (!TeamSecurity::addUser(store->db(), adminName, {}, Role::Admin, adminPassword, true, &error))
            return failure(error);
    } else if (admins == 0) {
        return failure(tr("The team store %1 has no administrator yet: run init again with --admin NAME (the "
                          "password on standard input).")
                           .arg(store->displayName()));
    }
    if (json()) {
        printJson({{u"ok"_s, true},
                   {u"store"_s, store->path()},
                   {u"schema_version"_s, store->schemaVersion()},
                   {u"upgraded"_s, existing}});
    } else if (existing) {
        out() << tr("The store %1 is up to date (schema %2).").arg(store->displayName()).arg(store->schemaVersion())
              << u'\n';
    } else {
        out() << tr("Created the store %1 (schema %2).").arg(store->displayName()).arg(store->schemaVersion())
              << u'\n';
    }
    return Ok;
}

int Cli::statsCommand(const QStringList &args)
{
    QCommandLineParser parser;
    int exitCode = Ok;
    if (!parse(parser, args, u"stats"_s, tr("Count what a store holds."), true, &exitCode))
        return exitCode;
    auto store = openStore(parser, false, false);
    if (!store)
        return Failed;
    QString error;
    const StoreStats stats = StoreInspector(*store).stats(&error);
    if (!error.isEmpty())
        return failure(error);
    if (json()) {
        printJson(stats.toJson());
    } else {
        out() << tr("Images:           %1 (%2 MB)\n").arg(stats.images).arg(stats.imageBytes / 1048576.0, 0, 'f', 1)
              << tr("Cases:            %1\n").arg(stats.cases) << tr("Users:            %1\n").arg(stats.users)
              << tr("Reference labels: %1\n").arg(stats.referenceLabels)
              << tr("Annotations:      %1\n").arg(stats.annotations) << tr("Masks:            %1\n").arg(stats.masks)
              << tr("Sources:          %1\n").arg(stats.sources);
    }
    return Ok;
}

int Cli::checkCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"verify-hashes"_s, tr("Re-read every image file and compare its SHA-256.")});
    parser.addOption({u"repair"_s, tr("Close interrupted imports (the images they stored stay; run the import again "
                                      "for the rest) and delete orphan image files. Needs the store to itself. A "
                                      "broken audit chain is never repaired.")});
    int exitCode = Ok;
    if (!parse(parser, args, u"check"_s,
               tr("Check a store: database integrity, foreign keys, image files, interrupted imports, the audit log's "
                  "hash chain. Exit status 1 when it finds a problem."),
               true, &exitCode))
        return exitCode;
    const bool repair = parser.isSet(u"repair"_s);
    // Repairing takes the writer lock, so that no import runs meanwhile.
    auto store = openStore(parser, false, repair);
    if (!store)
        return Failed;
    QString error;
    bool writerActive = false;
    if (store->location().isPostgres()) {
        // A team store's imports may run on any workstation at any time.
        writerActive = true;
    } else if (!repair) {
        // Is a workstation or an import writing now? Then its running import is no problem.
        QString probeError;
        auto probe = Store::open(store->location(), Store::OpenMode::MustExist, &probeError);
        writerActive = probe && !probe->lockForWriting(&probeError);
    }
    StoreCheck check = StoreInspector(*store).check(parser.isSet(u"verify-hashes"_s), &error);
    check.writerActive = writerActive;
    if (!error.isEmpty())
        return failure(error);
    std::optional<StoreRepairReport> repaired;
    if (repair && check.repairable()) {
        repaired = StoreInspector(*store).repair(check, &error);
        if (!repaired)
            return failure(error);
        check = StoreInspector(*store).check(parser.isSet(u"verify-hashes"_s), &error);
        if (!error.isEmpty())
            return failure(error);
    }
    if (json()) {
        QJsonObject o = check.toJson();
        if (repaired)
            o.insert(u"repair"_s, repaired->toJson());
        if (repair && !check.auditChain.ok())
            o.insert(u"audit_chain_repaired"_s, false);
        printJson(o);
    } else {
        auto list = [&](const QString &title, const QStringList &items) {
            if (items.isEmpty())
                return;
            out() << title << u'\n';
            for (const QString &item : items.mid(0, 20))
                out() << u"  "_s << item << u'\n';
            if (items.size() > 20)
                out() << tr("  ... and %1 more\n").arg(items.size() - 20);
        };
        if (repaired) {
            out() << tr("Repaired: %1 interrupted import(s) closed, %2 orphan file(s) deleted.\n")
                         .arg(repaired->closedImports)
                         .arg(repaired->removedFiles.size());
            list(tr("Could not delete:"), repaired->failures);
        }
        out() << (check.ok() ? tr("The store is consistent.\n") : tr("The store has problems:\n"));
        list(tr("Database integrity:"), check.integrityProblems);
        list(tr("Broken references:"), check.foreignKeyViolations);
        list(tr("Images whose file is missing:"), check.missingImageFiles);
        list(tr("Images whose file does not match its checksum:"), check.corruptImageFiles);
        list(tr("Files in the image folder that no image uses:"), check.orphanFiles);
        const AuditChainCheck &chain = check.auditChain;
        if (chain.broken) {
            out() << tr("Audit log: the hash chain is broken at entry %1%2: %3.\n")
                         .arg(chain.brokenSeq)
                         .arg(chain.brokenAction.isEmpty() && chain.brokenAt.isEmpty()
                                  ? QString()
                                  : u" (%1, %2)"_s.arg(chain.brokenAt, chain.brokenAction))
                         .arg(chain.problem);
            if (repair)
                out() << tr("The audit log is never repaired: a broken chain is the evidence that the store was "
                            "changed outside DermLabel, and it stays as found. Compare it with a backup (whose audit "
                            "head was printed when it was made) to see what was changed.\n");
        } else {
            out() << tr("Audit log: the hash chain is intact up to its head, entry %1 (%2).\n")
                         .arg(chain.head.seq)
                         .arg(chain.head.hash);
        }
        if (check.casesWithoutImages)
            out() << tr("Cases without images: %1\n").arg(check.casesWithoutImages);
        if (check.imagesWithoutSource)
            out() << tr("Images without a recorded source file: %1\n").arg(check.imagesWithoutSource);
        if (check.interruptedImports)
            out() << tr("Interrupted imports: %1\n").arg(check.interruptedImports);
        if (writerActive && (check.interruptedImports || !check.orphanFiles.isEmpty()))
            out() << (store->location().isPostgres()
                          ? tr("Imports may be running on other workstations: unfinished imports and their files are "
                               "not counted as problems.\n")
                          : tr("Another program is writing to the store: an import it runs and the files it is copying "
                               "are not counted as problems. Check again when it has finished.\n"));
        else if (check.repairable())
            out() << tr("Run 'dermlabel-cli check --repair' to close the interrupted imports (the images they stored "
                        "stay; run the same import again for the rest) and delete the orphan files.\n");
    }
    return check.ok() && (!repaired || repaired->ok()) ? Ok : Partial;
}

int Cli::backupCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"out"_s, tr("The copy's store file (must not exist); its images go beside it."), tr("FILE")});
    int exitCode = Ok;
    if (!parse(parser, args, u"backup"_s,
               tr("Make a consistent copy of a store while the workstation and imports keep writing to it: the "
                  "database as it was at one moment, the image files it names (hard-linked on the same file "
                  "system), then the copy checked, every image's checksum included."),
               true, &exitCode))
        return exitCode;
    const QString target = parser.value(u"out"_s);
    if (target.isEmpty())
        return usageError(tr("backup: say where the copy goes: --out FILE."));
    auto store = openStore(parser, false, false);
    if (!store)
        return Failed;
    QString error;
    const auto report = StoreBackup(*store).run(
        target,
        [this](qint64 done, qint64 total) {
            ImportProgress p;
            p.phase = ImportProgress::Phase::Images;
            p.done = done;
            p.total = total;
            progress(p);
        },
        &interrupted(), &error);
    endProgress();
    if (!report)
        return failure(error);
    if (json()) {
        printJson(report->toJson());
    } else {
        out() << tr("Backed up %1 to %2: %3 image(s), %4 MB (%5 hard-linked); the copy passed its check.\n")
                     .arg(store->displayName(), QDir::toNativeSeparators(report->path))
                     .arg(report->images)
                     .arg(double(report->imageBytes) / 1e6, 0, 'f', 1)
                     .arg(report->linkedImages);
        out() << tr("Audit head of the copy: entry %1, %2 (keep it: a store whose log was rewritten since no "
                    "longer shows this entry with this hash).\n")
                     .arg(report->check.auditChain.head.seq)
                     .arg(report->check.auditChain.head.hash);
        if (!report->check.auditChain.ok())
            out() << tr("The store's audit log was already broken at entry %1: %2. The copy keeps it as found.\n")
                         .arg(report->check.auditChain.brokenSeq)
                         .arg(report->check.auditChain.problem);
        if (report->check.interruptedImports)
            out() << tr("An import was running when the copy was taken; in the copy it shows as interrupted.\n");
    }
    return Ok;
}

int Cli::usersCommand(const QStringList &args)
{
    const QString action = args.value(1);
    if (action != u"add"_s && action != u"list"_s && action != u"password"_s) {
        if (action == u"--help"_s || action == u"-h"_s) {
            out() << tr("Usage: dermlabel-cli users add --store PATH --name NAME --role annotator|qa|admin "
                        "[--display-name TEXT]\n"
                        "       dermlabel-cli users list --store PATH [--json]\n"
                        "       dermlabel-cli users password --store PATH NAME\n"
                        "The password of a new user, and a new password, are read from standard input.\n");
            return Ok;
        }
        return usageError(tr("users: say 'add', 'list' or 'password'."));
    }
    if (action == u"password"_s)
        return usersPassword(args.mid(1));
    QCommandLineParser parser;
    if (action == u"add"_s) {
        parser.addOption({u"name"_s, tr("The user name (letters, digits, '.', '_', '-')."), tr("NAME")});
        parser.addOption({u"role"_s, tr("annotator, qa or admin."), tr("ROLE")});
        parser.addOption({u"display-name"_s, tr("The name shown in the workstation."), tr("TEXT")});
    }
    int exitCode = Ok;
    if (!parse(parser, args.mid(1), u"users "_s + action,
               action == u"add"_s ? tr("Add a user; the password is read from standard input.") : tr("List the users."),
               true, &exitCode))
        return exitCode;
    auto store = openStore(parser, false, action == u"add"_s);
    if (!store)
        return Failed;
    UserService users(*store, operatorUser());
    QString error;
    if (action == u"list"_s) {
        const auto list = users.list(&error);
        if (!list)
            return failure(error);
        QJsonArray array;
        for (const UserSummary &summary : *list) {
            const User &user = summary.user;
            array.append(QJsonObject {{u"name"_s, user.name}, {u"display_name"_s, user.displayName},
                                      {u"role"_s, roleKey(user.role)}, {u"active"_s, user.active}});
            if (!json())
                out() << user.name.leftJustified(24) << roleKey(user.role).leftJustified(10)
                      << (user.active ? QString() : tr("disabled")) << u'\n';
        }
        if (json())
            printJson({{u"users"_s, array}});
        return Ok;
    }
    const QString name = parser.value(u"name"_s);
    const auto role = roleFromKey(parser.value(u"role"_s));
    if (name.isEmpty())
        return usageError(tr("users add: --name NAME is required."));
    if (!role)
        return usageError(tr("users add: --role must be annotator, qa or admin."));
    if (!UserService::isValidName(name, &error))
        return usageError(error);
    bool ok = false;
    const QString password = readPassword(tr("Password for %1: ").arg(name), true, &ok);
    if (!ok)
        return usageError(tr("users add: no password on standard input."));
    const auto user = users.add(name, parser.value(u"display-name"_s), *role, password, &error);
    if (!user)
        return failure(error);
    if (json())
        printJson({{u"ok"_s, true}, {u"id"_s, user->id}, {u"name"_s, name}, {u"role"_s, roleKey(*role)}});
    else
        out() << tr("Added %1 (%2).").arg(name, roleDisplayName(*role)) << u'\n';
    return Ok;
}

int Cli::usersPassword(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"name"_s, tr("The user (or give the name after the options)."), tr("NAME")});
    parser.addPositionalArgument(u"NAME"_s, tr("The user whose password is set."));
    int exitCode = Ok;
    if (!parse(parser, args, u"users password"_s,
               tr("Set a user's password, read from standard input (on a team store: their server login's)."), true,
               &exitCode))
        return exitCode;
    QString name = parser.value(u"name"_s);
    if (name.isEmpty())
        name = parser.positionalArguments().value(0);
    if (name.isEmpty() || parser.positionalArguments().size() > 1)
        return usageError(tr("users password: name one user."));
    auto store = openStore(parser, false, true);
    if (!store)
        return Failed;
    UserService users(*store, operatorUser());
    QString error;
    const auto list = users.list(&error);
    if (!list)
        return failure(error);
    std::optional<User> user;
    for (const UserSummary &summary : *list) {
        if (summary.user.name == name)
            user = summary.user;
    }
    if (!user)
        return failure(tr("There is no user named '%1'.").arg(name));
    bool ok = false;
    const QString password = readPassword(tr("New password for %1: ").arg(name), true, &ok);
    if (!ok || password.isEmpty())
        return usageError(tr("users password: no password on standard input."));
    if (!users.resetPassword(user->id, password, &error))
        return failure(error);
    if (json())
        printJson({{u"ok"_s, true}, {u"name"_s, name}});
    else
        out() << tr("Set the password of %1.").arg(name) << u'\n';
    return Ok;
}

} // namespace dl
