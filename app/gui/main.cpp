// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "base/Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QScreen>
#include <QTimer>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"DermLabel"_s);
    QApplication::setOrganizationName(u"DermLabel"_s);
    QApplication::setApplicationVersion(dl::programVersion());
    QApplication::setDesktopFileName(u"org.dermlabel.DermLabel"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/dermlabel.svg"_s));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "DermLabel: annotation workstation for "
                                                                     "de-identified dermatology images."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption storeOption(u"store"_s, QApplication::translate("main", "Open this store."),
                                         QApplication::translate("main", "PATH"));
    parser.addOption(storeOption);
    // For documentation and visual checks: save a picture of the window and quit.
    QCommandLineOption screenshotOption(u"screenshot"_s, u"Save a screenshot of the main window and quit."_s, u"PNG"_s);
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshotOption);
    // Sign in without the dialog, the password taken from DERMLABEL_PASSWORD.
    QCommandLineOption userOption(u"user"_s, u"Sign in as this user."_s, u"NAME"_s);
    userOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(userOption);
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
        QTimer::singleShot(1500, &window, [&window, target] {
            const bool saved = window.grab().save(target);
            QApplication::exit(saved ? 0 : 2);
        });
    }
    return app.exec();
}
