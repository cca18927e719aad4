// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"
#include "TeamStoreDialog.h"
#include "admin/AssignDialog.h"
#include "admin/UsersDialog.h"
#include "settings/Preferences.h"
#include "settings/PreferencesDialog.h"
#include "settings/Translations.h"

#include "base/Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QScreen>
#include <QTimer>

using namespace Qt::StringLiterals;

static void describe(QCommandLineParser &parser, QCommandLineOption *store, QCommandLineOption *screenshot,
                     QCommandLineOption *user, QCommandLineOption *screenshotDialog)
{
    parser.setApplicationDescription(QCoreApplication::translate("main", "DermLabel: annotation workstation for "
                                                                         "de-identified dermatology images."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(*store);
    // For documentation and visual checks: save a picture of the window and quit.
    screenshot->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(*screenshot);
    // Sign in without the dialog, the password taken from DERMLABEL_PASSWORD.
    user->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(*user);
    // With --screenshot: open this dialog (users, assign, preferences) and save a picture of it.
    screenshotDialog->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(*screenshotDialog);
}

static void setIdentity()
{
    QCoreApplication::setApplicationName(u"DermLabel"_s);
    QCoreApplication::setOrganizationName(u"DermLabel"_s);
    QCoreApplication::setApplicationVersion(dl::programVersion());
}

int main(int argc, char **argv)
{
    QCommandLineOption storeOption(u"store"_s, QCoreApplication::translate("main",
                                       "Open this store at start: a store file, or a team store's "
                                       "postgresql://host/database URL (you are asked to sign in)."),
                                   QCoreApplication::translate("main", "PATH|URL"));
    QCommandLineOption screenshotOption(u"screenshot"_s, u"Save a screenshot of the main window and quit."_s, u"PNG"_s);
    QCommandLineOption userOption(u"user"_s, u"Sign in as this user."_s, u"NAME"_s);
    QCommandLineOption dialogOption(u"screenshot-dialog"_s, u"With --screenshot: picture this dialog."_s, u"NAME"_s);

    // --help and --version answer without a display.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v" || arg == "--help-all") {
            QCoreApplication app(argc, argv);
            setIdentity();
            QCommandLineParser parser;
            describe(parser, &storeOption, &screenshotOption, &userOption, &dialogOption);
            parser.process(app);
            return 0;
        }
    }

    QApplication app(argc, argv);
    setIdentity();
    QApplication::setDesktopFileName(u"org.dermlabel.DermLabel"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/dermlabel.svg"_s));
    dl::Translations::install(dl::Preferences::load().language); // before any widget is made
    QCommandLineParser parser;
    describe(parser, &storeOption, &screenshotOption, &userOption, &dialogOption);
    parser.process(app);

    dl::MainWindow window;
    window.show();
    if (parser.isSet(storeOption)) {
        const QString password = qEnvironmentVariable("DERMLABEL_PASSWORD");
        if (!window.openStore(parser.value(storeOption), parser.value(userOption), password)
            && parser.isSet(screenshotOption))
            return 2;
    } else if (!parser.isSet(screenshotOption)) {
        QTimer::singleShot(0, &window, [&window] { window.openInitialStore(); });
    }
    if (parser.isSet(screenshotOption)) {
        const QString target = parser.value(screenshotOption);
        QWidget *shown = &window;
        if (parser.isSet(dialogOption)) {
            const QString name = parser.value(dialogOption);
            QDialog *dialog = name == u"users"_s ? static_cast<QDialog *>(window.createUsersDialog())
                : name == u"assign"_s            ? static_cast<QDialog *>(window.createAssignDialog())
                : name == u"preferences"_s       ? static_cast<QDialog *>(window.createPreferencesDialog())
                : name == u"team-store"_s        ? static_cast<QDialog *>(new dl::TeamStoreDialog({}, &window))
                                                 : nullptr;
            if (!dialog)
                return 2;
            dialog->show();
            shown = dialog;
        }
        QTimer::singleShot(1500, &window, [shown, target] {
            const bool saved = shown->grab().save(target);
            QApplication::exit(saved ? 0 : 2);
        });
    }
    return app.exec();
}
