#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTableView;
class QTimer;
class QToolButton;

namespace qd {

class ResultsModel;
class Runtime;

// Processed images as a gallery or a table, newest first, filtered by user and text.
// Both views share one lazy model, so thousands of results scroll without loading them all.
class ResultsPage final : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(Runtime *runtime, QWidget *parent = nullptr);

    ResultsModel *model() const { return m_model; }
    QListView *gallery() const { return m_gallery; }
    QTableView *table() const { return m_table; }
    void showGallery(bool gallery);

signals:
    void openMessageRequested(const QString &messageId);

protected:
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter();
    void open(const QModelIndex &index);
    void fitGallery();

    ResultsModel *m_model;
    QLineEdit *m_user;
    QLineEdit *m_text;
    QToolButton *m_galleryButton;
    QToolButton *m_tableButton;
    QLabel *m_count;
    QStackedWidget *m_stack;
    QListView *m_gallery;
    QTableView *m_table;
    QTimer *m_refresh;
    QTimer *m_filterDelay;
};

} // namespace qd
