// SPDX-License-Identifier: GPL-3.0-or-later
#include "Cli.h"

#include "base/Guarded.h"
#include "base/Version.h"
#include "import/ImportService.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

Cli::Cli()
    : m_out(stdout)
    , m_err(stderr)
    , m_stderrIsTerminal(::isatty(STDERR_FILENO) == 1)
{
}

std::atomic_bool &Cli::interrupted()
{
    static std::atomic_bool flag {false};
    return flag;
}

static void onInterrupt(int)
{
    // A second Ctrl+C ends the program at once.
    if (Cli::interrupted().exchange(true))
        std::_Exit(130);
}

void Cli::installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

void Cli::printHelp()
{
    // One line per command, the descriptions aligned after the longest name.
    const QList<std::pair<QString, QString>> commands = {
        {u"init"_s, tr("Create a new, empty store.")},
        {u"demo"_s, tr("Create a store filled with synthetic demo images, cases and users.")},
        {u"import"_s, tr("Import a folder, a SCIN or PASSION layout, or LabelMe / COCO regions as a rater's labels.")},
        {u"stats"_s, tr("Count images, cases, users, reference labels and annotations.")},
        {u"check"_s, tr("Check a store's integrity, foreign keys and image files.")},
        {u"backup"_s, tr("Make a consistent, checked copy of a store while others keep working.")},
        {u"users"_s, tr("Add or list users (annotator, qa, admin), set a password.")},
        {u"agreement"_s, tr("Inter-rater agreement statistics of a store or of a ratings table.")},
        {u"consensus"_s, tr("Compute and store the consensus labels of a store.")},
        {u"export"_s, tr("Export a de-identified label bundle (folder or zip).")},
        {u"faces"_s, tr("Flag images with a possible face for review.")},
        {u"migrate"_s, tr("Copy a whole store to a team store (PostgreSQL) or back to a store file, verified.")},
        {u"assign"_s, tr("Assign images to K annotators each (as the admin screen does).")},
    };
    qsizetype width = 0;
    for (const auto &command : commands)
        width = std::max(width, command.first.size());
    QString list;
    for (const auto &[name, description] : commands)
        list += u"  "_s + name.leftJustified(width + 2) + description + u'\n';

    m_out << tr("Usage: dermlabel-cli <command> [options]\n"
                "\n"
                "DermLabel %1: the headless side of the dermatology image annotation workstation.\n"
                "\n"
                "Commands:\n"
                "%2"
                "\n"
                "Run 'dermlabel-cli <command> --help' for the options of a command.\n"
                "Exit status: 0 all done; 1 done, but some inputs were rejected or missing;\n"
                "2 usage error or nothing could be done.\n"
                "\n"
                "No password is asked for on a store file: whoever may write the file is trusted with it\n"
                "and acts as its local administrator; the audit log names the operating-system user.\n"
                "On a team store (postgresql:// URL) the server checks the role named in the URL.\n")
                .arg(programVersion(), list);
    m_out.flush();
}

int Cli::run(const QStringList &args)
{
    const QString command = args.value(1);
    if (command.isEmpty() || command == u"--help"_s || command == u"-h"_s || command == u"help"_s) {
        printHelp();
        return command.isEmpty() ? Failed : Ok;
    }
    if (command == u"--version"_s || command == u"-v"_s || command == u"version"_s) {
        m_out << u"dermlabel-cli "_s << programVersion() << u'\n';
        m_out.flush();
        return Ok;
    }
    // One boundary for every command: what core throws (out of memory, OpenCV) becomes a message.
    return guarded([&] { return runCommand(command, args.mid(1)); },
        [this](const QString &message) { return failure(message); });
}

int Cli::runCommand(const QString &command, const QStringList &rest)
{
    if (command == u"init"_s)
        return initCommand(rest);
    if (command == u"demo"_s)
        return demoCommand(rest);
    if (command == u"import"_s)
        return importCommand(rest);
    if (command == u"stats"_s)
        return statsCommand(rest);
    if (command == u"check"_s)
        return checkCommand(rest);
    if (command == u"backup"_s)
        return backupCommand(rest);
    if (command == u"users"_s)
        return usersCommand(rest);
    if (command == u"agreement"_s)
        return agreementCommand(rest);
    if (command == u"consensus"_s)
        return consensusCommand(rest);
    if (command == u"export"_s)
        return exportCommand(rest);
    if (command == u"faces"_s)
        return facesCommand(rest);
    if (command == u"migrate"_s)
        return migrateCommand(rest);
    if (command == u"assign"_s)
        return assignCommand(rest);
    return usageError(tr("Unknown command '%1'. Run 'dermlabel-cli --help' for the list.").arg(command));
}

User Cli::operatorUser()
{
    return User::commandLine();
}

bool Cli::parse(QCommandLineParser &parser, const QStringList &args, const QString &command,
                const QString &description, bool needsStore, int *exitCode)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({u"h"_s, u"help"_s}, tr("Show this help."));
    parser.addOption(help);
    if (needsStore)
        parser.addOption({u"store"_s, tr("The store file, or a team store's postgresql:// URL."), tr("PATH")});
    parser.addOption({u"json"_s, tr("Print a machine-readable report on standard output.")});
    QStringList withProgram = args;
    withProgram[0] = u"dermlabel-cli "_s + command;
    if (!parser.parse(withProgram)) {
        *exitCode = usageError(parser.errorText());
        return false;
    }
    m_json = parser.isSet(u"json"_s);
    if (parser.isSet(help)) {
        // Qt names the program by the path it was started with; the usage line names the command.
        QString text = parser.helpText();
        const QString program = QCoreApplication::arguments().value(0);
        const qsizetype lineEnd = text.indexOf(u'\n');
        const qsizetype at = program.isEmpty() ? -1 : text.left(lineEnd).indexOf(program);
        if (at >= 0)
            text.replace(at, program.size(), u"dermlabel-cli "_s + command);
        m_out << text;
        m_out.flush();
        *exitCode = Ok;
        return false;
    }
    if (needsStore && parser.value(u"store"_s).isEmpty()) {
        *exitCode = usageError(tr("%1: --store PATH is required.").arg(command));
        return false;
    }
    return true;
}

std::unique_ptr<Store> Cli::openStore(const QCommandLineParser &parser, bool create, bool forWriting)
{
    QString error;
    auto store = Store::open(parser.value(u"store"_s),
                             create ? Store::OpenMode::CreateIfMissing : Store::OpenMode::MustExist, &error);
    if (store && forWriting && !store->lockForWriting(&error))
        store.reset();
    if (!store)
        failure(error);
    return store;
}

int Cli::usageError(const QString &message)
{
    if (m_json)
        printJson({{u"ok"_s, false}, {u"error"_s, message}});
    m_err << tr("dermlabel-cli: %1").arg(message) << u'\n';
    m_err.flush();
    return Failed;
}

int Cli::failure(const QString &message)
{
    return usageError(message);
}

void Cli::printJson(const QJsonObject &object)
{
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    m_out.flush();
}

void Cli::progress(const ImportProgress &p)
{
    if (!m_stderrIsTerminal || p.phase == ImportProgress::Phase::Finished)
        return;
    const QString label = p.phase == ImportProgress::Phase::Reading ? tr("reading")
        : p.phase == ImportProgress::Phase::Images                  ? tr("images")
        : p.phase == ImportProgress::Phase::Faces                   ? tr("face check")
                                                                    : tr("cases");
    constexpr int width = 30;
    const double fraction = p.total > 0 ? double(p.done) / double(p.total) : 0.0;
    const int filled = int(fraction * width);
    m_err << u"\r["_s << QString(filled, u'#') << QString(width - filled, u'-') << u"] "_s
          << QString::number(int(fraction * 100)).rightJustified(3) << u"% "_s << p.done << u'/' << p.total << u' '
          << label << u"   "_s;
    m_err.flush();
    m_progressShown = true;
}

void Cli::endProgress()
{
    if (m_progressShown) {
        m_err << u"\r"_s << QString(72, u' ') << u"\r"_s;
        m_err.flush();
        m_progressShown = false;
    }
}

QString Cli::readPassword(const QString &prompt, bool confirm, bool *ok)
{
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    auto readLine = [&](const QString &text) {
        termios saved {};
        if (terminal) {
            m_err << text;
            m_err.flush();
            tcgetattr(STDIN_FILENO, &saved);
            termios noEcho = saved;
            noEcho.c_lflag &= ~tcflag_t(ECHO);
            tcsetattr(STDIN_FILENO, TCSANOW, &noEcho);
        }
        std::string line;
        const bool got = static_cast<bool>(std::getline(std::cin, line));
        if (terminal) {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved);
            m_err << u'\n';
            m_err.flush();
        }
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return got ? std::optional<QString>(QString::fromStdString(line)) : std::nullopt;
    };
    const auto password = readLine(prompt);
    if (!password) {
        *ok = false;
        return {};
    }
    if (confirm && terminal) {
        const auto again = readLine(tr("Repeat the password: "));
        if (!again || *again != *password) {
            failure(tr("The passwords do not match."));
            *ok = false;
            return {};
        }
    }
    *ok = true;
    return *password;
}

} // namespace dl
