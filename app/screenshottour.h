#pragma once

#include <QObject>
#include <QSize>

namespace qd {

class MainWindow;

// Shows every page of the window at each size in light and dark, one after another, and
// saves a picture of each as DIR/<page>-<width>x<height>-<light|dark>.png; then quits.
class ScreenshotTour final : public QObject {
    Q_OBJECT
public:
    explicit ScreenshotTour(MainWindow *window, QString dir, QObject *parent = nullptr);

    void start(int delayMs);

signals:
    void finished(bool ok);

private:
    void step();

    MainWindow *m_window;
    QString m_dir;
    int m_index = 0;
    bool m_ok = true;
};

} // namespace qd
