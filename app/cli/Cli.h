// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/User.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <atomic>
#include <memory>

namespace dl {

class Store;
class StoreLocation;
struct ImportProgress;

/// What every dermlabel-cli command shares: output streams, the --json
/// switch, opening the store, a progress bar on terminals, Ctrl+C.
class Cli
{
public:
    enum Exit { Ok = 0, Partial = 1, Failed = 2 };

    Cli();

    /// Runs the command named by args[1]; returns the exit status.
    int run(const QStringList &args);

    QTextStream &out() { return m_out; }
    QTextStream &err() { return m_err; }

    /// Sets up a subcommand's parser with --help, --store and --json, parses
    /// args and handles --help. Returns false (and sets *exitCode) when the
    /// command should stop here.
    bool parse(QCommandLineParser &parser, const QStringList &args, const QString &command,
               const QString &description, bool needsStore, int *exitCode);
    bool json() const { return m_json; }

    /// Opens the store named by --store; prints the error and returns null on failure.
    std::unique_ptr<Store> openStore(const QCommandLineParser &parser, bool create, bool forWriting);

    int usageError(const QString &message);
    int failure(const QString &message);
    /// Prints an object as indented JSON on stdout.
    void printJson(const QJsonObject &object);

    /// Draws a progress bar on stderr when it is a terminal.
    void progress(const ImportProgress &progress);
    void endProgress();

    /// Set by Ctrl+C; long commands stop cleanly when it is.
    static std::atomic_bool &interrupted();
    static void installInterruptHandler();

    /// Reads a password from standard input (without echo on a terminal).
    QString readPassword(const QString &prompt, bool confirm, bool *ok);

    // The commands.
    int initCommand(const QStringList &args);
    int initTeamStore(const StoreLocation &location, const QString &adminName);
    int demoCommand(const QStringList &args);
    int importCommand(const QStringList &args);
    int statsCommand(const QStringList &args);
    int checkCommand(const QStringList &args);
    int backupCommand(const QStringList &args);
    int usersCommand(const QStringList &args);
    int agreementCommand(const QStringList &args);
    int consensusCommand(const QStringList &args);
    int exportCommand(const QStringList &args);
    int facesCommand(const QStringList &args);
    int migrateCommand(const QStringList &args);
    int assignCommand(const QStringList &args);
    int usersPassword(const QStringList &args);

    /// Whoever runs the command line on a store file they can read and write acts with an
    /// admin's rights (User::commandLine()); the audit log records such changes without a user
    /// id, naming the operating-system user in the entry's details where the service does.
    static User operatorUser();

private:
    int runCommand(const QString &command, const QStringList &rest);
    void printHelp();
    void printFields(const QJsonArray &fields);

    QTextStream m_out;
    QTextStream m_err;
    bool m_json = false;
    bool m_progressShown = false;
    bool m_stderrIsTerminal = false;
};

} // namespace dl
