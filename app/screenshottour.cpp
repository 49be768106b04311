#include "screenshottour.h"

#include "mainwindow.h"
#include "theme.h"

#include <QDir>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

namespace qd {

namespace {

constexpr const char *kPageNames[]
    = { "dashboard", "submit", "messages", "failed", "results", "queues", "workers" };
constexpr QSize kSizes[] = { { 1366, 768 }, { 1920, 1080 } };
constexpr Theme kThemes[] = { Theme::Light, Theme::Dark };
constexpr int kPages = int(std::size(kPageNames));
constexpr int kShots = kPages * int(std::size(kSizes)) * int(std::size(kThemes));
// Long enough for a page's first answers from the store (tables, thumbnails) to arrive.
constexpr int kSettleMs = 700;

} // namespace

ScreenshotTour::ScreenshotTour(MainWindow *window, QString dir, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_dir(std::move(dir))
{
    static_assert(kPages == MainWindow::PageCount);
}

void ScreenshotTour::start(int delayMs)
{
    QDir().mkpath(m_dir);
    QTimer::singleShot(delayMs, this, [this] {
        m_index = 0;
        step();
    });
}

void ScreenshotTour::step()
{
    // Theme outermost, then size, then page: each change of theme or size settles once.
    const int page = m_index % kPages;
    const QSize size = kSizes[(m_index / kPages) % int(std::size(kSizes))];
    const Theme theme = kThemes[m_index / (kPages * int(std::size(kSizes)))];
    if (m_index % (kPages * int(std::size(kSizes))) == 0)
        applyTheme(theme);
    m_window->resize(size);
    m_window->showPage(MainWindow::Page(page));
    QTimer::singleShot(kSettleMs, this, [this, page, size, theme] {
        const QString path = QDir(m_dir).filePath(QStringLiteral("%1-%2x%3-%4.png")
                                                      .arg(QLatin1String(kPageNames[page]))
                                                      .arg(size.width())
                                                      .arg(size.height())
                                                      .arg(themeId(theme)));
        const bool saved = m_window->grab().save(path);
        m_ok = m_ok && saved;
        std::fprintf(stderr, saved ? "saved %s\n" : "could not save %s\n", qPrintable(path));
        if (++m_index < kShots)
            step();
        else
            emit finished(m_ok);
    });
}

} // namespace qd
