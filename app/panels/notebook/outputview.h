#pragma once

#include <QHash>
#include <QJsonArray>
#include <QUrl>
#include <QJsonObject>
#include <QTextBrowser>
#include <QWidget>

class QLineEdit;
class QVBoxLayout;

namespace cairn::panels {

/// A read-only rich-text view as tall as its content (no scroll bar of its own): markdown cells,
/// text and HTML outputs.
class AutoHeightBrowser : public QTextBrowser
{
    Q_OBJECT
public:
    explicit AutoHeightBrowser(QWidget *parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    void updateHeight();
    /// A resource the rendered text refers to (attachment:NAME images of markdown cells).
    void setResource(const QUrl &url, const QVariant &value);
    QVariant loadResource(int type, const QUrl &name) override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    QHash<QUrl, QVariant> m_resources;
};

/// The outputs of one code cell. Rendering is lazy: until render() is called (when the cell
/// scrolls into view) only a placeholder of about the right height exists, so that a notebook
/// with hundreds of images opens at once.
class OutputView : public QWidget
{
    Q_OBJECT
public:
    explicit OutputView(QWidget *parent = nullptr);

    /// Replaces the outputs; they are drawn now if the view is already rendered.
    void setOutputs(const QJsonArray &outputs);
    /// Updates outputs from `fromIndex` on (streaming: earlier ones stay as drawn).
    void updateOutputs(const QJsonArray &outputs, int fromIndex);
    QJsonArray outputs() const { return m_outputs; }
    bool isRendered() const { return m_rendered; }
    /// Builds the widgets (idempotent).
    void render();

    /// Shows an input box for input() (password hides the text); inputSubmitted follows Enter.
    void showInputRequest(const QString &prompt, bool password);
    void hideInputRequest();
    bool hasInputRequest() const;
    QLineEdit *inputLine() const { return m_input; }

    /// Plain text of everything shown (tests, copy).
    QString plainText() const;

Q_SIGNALS:
    void inputSubmitted(const QString &value);

private:
    QWidget *createOutputWidget(const QJsonObject &output) const;
    int estimatedHeight() const;
    void rebuildFrom(int index);

    QJsonArray m_outputs;
    QVBoxLayout *m_layout;
    QWidget *m_placeholder = nullptr;
    QWidget *m_inputRow = nullptr;
    QLineEdit *m_input = nullptr;
    QList<QWidget *> m_widgets;
    bool m_rendered = false;
};

/// Preferred MIME type of a display_data or execute_result bundle.
QString preferredMimeType(const QJsonObject &data);

} // namespace cairn::panels
