#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace qd {

class LoadRunner;
class Runtime;

// N jobs at R per second against a queue, from the shipped samples or URLs of your own,
// with a share of bad URLs if you want failures to look at.
class LoadGeneratorPanel final : public QWidget {
    Q_OBJECT
public:
    explicit LoadGeneratorPanel(Runtime *runtime, QWidget *parent = nullptr);

    void setQueues(const QStringList &names);
    LoadRunner *runner() const { return m_runner; }

private:
    void toggle();
    void progress(qint64 sent, qint64 total);
    void finished(qint64 sent, qint64 total, bool stopped, const QString &error);

    Runtime *m_runtime;
    LoadRunner *m_runner;
    QSpinBox *m_count;
    QDoubleSpinBox *m_rate;
    QComboBox *m_queue;
    QRadioButton *m_samples;
    QRadioButton *m_custom;
    QPlainTextEdit *m_urls;
    QSpinBox *m_badShare;
    QPushButton *m_start;
    QProgressBar *m_progress;
    QLabel *m_status;
};

} // namespace qd
