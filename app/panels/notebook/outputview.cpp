#include "outputview.h"

#include "cairn/notebook/notebook.h"
#include "cairn/notebook/outputs.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPainter>
#include <QScrollBar>
#include <QSvgRenderer>
#include <QTextDocument>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace cairn::panels {

namespace {

// Long outputs keep their tail: a training loop that printed a million lines, or one line of
// 100 MB, must not freeze the view (a QTextBrowser lays out everything it is given).
constexpr int kMaxLines = 5000;
constexpr qsizetype kMaxChars = 100 * 1000;
// Laying out one unbroken line costs far more than many short ones (100,000 characters took
// seconds): longer lines show their end only.
constexpr qsizetype kMaxLineChars = 10 * 1000;
// HTML, Markdown and LaTeX above this are shown as text (a DataFrame's HTML stays well below).
constexpr qsizetype kMaxRichChars = 1 << 20;
constexpr int kMaxImageWidth = 1000;

QString preHtml(const QString &text, const QString &background = {})
{
    const QString style = background.isEmpty() ? QString() : QStringLiteral(" background-color:%1;").arg(background);
    return QStringLiteral("<pre style=\"white-space: pre-wrap; margin:0;%1\">%2</pre>").arg(style, ansiToHtml(text));
}

QString displayText(QString text)
{
    text = applyCarriageReturns(text);
    if (text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    return text;
}

/// What a text output shows: its tail, at most kMaxLines lines and kMaxChars characters, with
/// carriage returns applied; *notice says what was left out (empty when nothing was).
QString shownTail(const QString &raw, QString *notice)
{
    // Only the end is shown, so only the end is worked on: carriage returns and line counts over
    // 100 MB would cost seconds on the GUI thread.
    const qsizetype keep = 2 * kMaxChars;
    QString text = displayText(raw.size() > keep ? raw.right(keep) : raw);
    bool cut = raw.size() > keep;
    if (text.size() > kMaxChars) {
        text = text.right(kMaxChars);
        cut = true;
    }
    const qsizetype lines = text.count(QLatin1Char('\n'));
    int hiddenLines = 0;
    if (lines > kMaxLines) {
        qsizetype pos = text.size();
        for (int i = 0; i < kMaxLines && pos > 0; ++i)
            pos = text.lastIndexOf(QLatin1Char('\n'), pos - 1);
        hiddenLines = int(lines - kMaxLines);
        text = text.mid(pos + 1);
    }
    if (text.size() > kMaxLineChars) {
        QStringList lines = text.split(QLatin1Char('\n'));
        for (QString &line : lines) {
            if (line.size() > kMaxLineChars) {
                line = QStringLiteral("…") + line.right(kMaxLineChars);
                cut = true;
            }
        }
        text = lines.join(QLatin1Char('\n'));
    }
    notice->clear();
    if (cut)
        *notice = OutputView::tr("Output truncated: %1 of its %2 characters are shown.")
                      .arg(QLocale().toString(text.size()), QLocale().toString(raw.size()));
    else if (hiddenLines > 0)
        *notice = OutputView::tr("… %n earlier line(s) not shown", nullptr, hiddenLines);
    return text;
}

QString noticeHtml(const QString &notice)
{
    return notice.isEmpty() ? QString() : QStringLiteral("<p><i>%1</i></p>").arg(notice.toHtmlEscaped());
}

// Reads width and height from a base64 PNG's IHDR without decoding the image.
QSize pngSize(const QString &base64)
{
    const QByteArray head = QByteArray::fromBase64(base64.left(44).toLatin1());
    if (head.size() < 24 || !head.startsWith("\x89PNG"))
        return {};
    auto be32 = [&](int offset) {
        return (quint32(quint8(head[offset])) << 24) | (quint32(quint8(head[offset + 1])) << 16) |
               (quint32(quint8(head[offset + 2])) << 8) | quint32(quint8(head[offset + 3]));
    };
    return QSize(int(be32(16)), int(be32(20)));
}

} // namespace

QString preferredMimeType(const QJsonObject &data)
{
    static const char *const order[] = {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "text/html",
                                        "text/markdown", "text/latex", "text/plain"};
    for (const char *mime : order) {
        if (data.contains(QLatin1String(mime)))
            return QLatin1String(mime);
    }
    return data.isEmpty() ? QString() : data.begin().key();
}

// ---- AutoHeightBrowser

AutoHeightBrowser::AutoHeightBrowser(QWidget *parent) : QTextBrowser(parent)
{
    setReadOnly(true);
    setOpenExternalLinks(true);
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    viewport()->setAutoFillBackground(false);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard | Qt::LinksAccessibleByMouse);
    document()->setDocumentMargin(2);
    connect(document(), &QTextDocument::contentsChanged, this, &AutoHeightBrowser::updateHeight);
}

QSize AutoHeightBrowser::sizeHint() const
{
    return QSize(QTextBrowser::sizeHint().width(), height());
}

QSize AutoHeightBrowser::minimumSizeHint() const
{
    return QSize(50, height());
}

void AutoHeightBrowser::updateHeight()
{
    const int width = viewport()->width() > 10 ? viewport()->width() : qMax(200, parentWidget() ? parentWidget()->width() - 20 : 600);
    document()->setTextWidth(width);
    const int h = int(std::ceil(document()->size().height())) + frameWidth() * 2;
    if (h != height())
        setFixedHeight(h);
}

void AutoHeightBrowser::setResource(const QUrl &url, const QVariant &value)
{
    m_resources.insert(url, value);
}

QVariant AutoHeightBrowser::loadResource(int type, const QUrl &name)
{
    const auto it = m_resources.constFind(name);
    if (it != m_resources.constEnd())
        return *it;
    return QTextBrowser::loadResource(type, name);
}

void AutoHeightBrowser::resizeEvent(QResizeEvent *event)
{
    QTextBrowser::resizeEvent(event);
    updateHeight();
}

void AutoHeightBrowser::wheelEvent(QWheelEvent *event)
{
    // The notebook scrolls, not this view.
    event->ignore();
}

// ---- OutputView

OutputView::OutputView(QWidget *parent) : QWidget(parent), m_layout(new QVBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
}

int OutputView::estimatedHeight() const
{
    int height = 0;
    for (const QJsonValue &value : m_outputs) {
        const QJsonObject output = value.toObject();
        const QString type = output.value(QLatin1String("output_type")).toString();
        if (type == QLatin1String("stream")) {
            height += 16 * qMin(40, int(joinMultiline(output.value(QLatin1String("text"))).count(QLatin1Char('\n'))) + 1);
        } else if (type == QLatin1String("error")) {
            height += 16 * qMin(60, int(output.value(QLatin1String("traceback")).toArray().size()) * 4);
        } else {
            const QJsonObject data = output.value(QLatin1String("data")).toObject();
            const QSize size = pngSize(joinMultiline(data.value(QLatin1String("image/png"))));
            if (size.isValid())
                height += size.width() > kMaxImageWidth ? size.height() * kMaxImageWidth / size.width() : size.height();
            else
                height += 16 * qMin(40, int(joinMultiline(data.value(QLatin1String("text/plain"))).count(QLatin1Char('\n'))) + 1);
        }
    }
    return height;
}

void OutputView::setOutputs(const QJsonArray &outputs)
{
    m_outputs = outputs;
    if (m_rendered) {
        rebuildFrom(0);
        return;
    }
    if (!m_placeholder) {
        m_placeholder = new QWidget(this);
        m_layout->insertWidget(0, m_placeholder);
    }
    m_placeholder->setFixedHeight(estimatedHeight());
    setVisible(!m_outputs.isEmpty() || hasInputRequest());
}

void OutputView::updateOutputs(const QJsonArray &outputs, int fromIndex)
{
    m_outputs = outputs;
    if (!m_rendered) {
        setOutputs(outputs);
        return;
    }
    rebuildFrom(fromIndex < 0 ? 0 : fromIndex);
}

void OutputView::render()
{
    if (m_rendered)
        return;
    m_rendered = true;
    if (m_placeholder) {
        delete m_placeholder;
        m_placeholder = nullptr;
    }
    rebuildFrom(0);
}

void OutputView::rebuildFrom(int index)
{
    while (m_widgets.size() > index)
        delete m_widgets.takeLast();
    for (int i = index; i < m_outputs.size(); ++i) {
        QWidget *widget = createOutputWidget(m_outputs.at(i).toObject());
        m_layout->insertWidget(int(m_widgets.size()), widget);
        m_widgets.append(widget);
    }
    setVisible(!m_outputs.isEmpty() || hasInputRequest());
}

QWidget *OutputView::createOutputWidget(const QJsonObject &output) const
{
    const QString type = output.value(QLatin1String("output_type")).toString();
    auto *parent = const_cast<OutputView *>(this);
    auto textView = [&](const QString &html) {
        auto *browser = new AutoHeightBrowser(parent);
        browser->setObjectName(QStringLiteral("outputText"));
        browser->setHtml(html);
        return browser;
    };
    if (type == QLatin1String("stream")) {
        QString notice;
        const QString text = shownTail(joinMultiline(output.value(QLatin1String("text"))), &notice);
        QString html = noticeHtml(notice);
        const bool stderrStream = output.value(QLatin1String("name")).toString() == QLatin1String("stderr");
        html += preHtml(text, stderrStream ? QStringLiteral("#fdd") : QString());
        auto *view = textView(html);
        view->setProperty("outputText", stripAnsi(text));
        view->setProperty("outputTruncated", !notice.isEmpty());
        return view;
    }
    if (type == QLatin1String("error")) {
        QStringList lines;
        for (const QJsonValue &line : output.value(QLatin1String("traceback")).toArray())
            lines << line.toString();
        if (lines.isEmpty())
            lines << output.value(QLatin1String("ename")).toString() + QStringLiteral(": ") + output.value(QLatin1String("evalue")).toString();
        const QString text = lines.join(QLatin1Char('\n'));
        auto *view = textView(preHtml(text, QStringLiteral("#fdd")));
        view->setObjectName(QStringLiteral("outputError"));
        view->setProperty("outputText", stripAnsi(text));
        return view;
    }
    const QJsonObject data = output.value(QLatin1String("data")).toObject();
    const QString mime = preferredMimeType(data);
    const QString value = joinMultiline(data.value(mime));
    if (mime == QLatin1String("image/png") || mime == QLatin1String("image/jpeg") || mime == QLatin1String("image/gif")) {
        QPixmap pixmap;
        pixmap.loadFromData(QByteArray::fromBase64(value.toLatin1()));
        auto *label = new QLabel(parent);
        label->setObjectName(QStringLiteral("outputImage"));
        if (pixmap.isNull()) {
            label->setText(tr("[an image that cannot be decoded]"));
            return label;
        }
        // Width/height in the output's metadata (IPython's Image(width=...)) wins.
        const QJsonObject meta = output.value(QLatin1String("metadata")).toObject().value(mime).toObject();
        int width = meta.value(QLatin1String("width")).toInt(pixmap.width());
        if (width > kMaxImageWidth)
            width = kMaxImageWidth;
        if (width != pixmap.width())
            pixmap = pixmap.scaledToWidth(width, Qt::SmoothTransformation);
        label->setPixmap(pixmap);
        label->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
        label->setProperty("outputText", QStringLiteral("[image %1×%2]").arg(pixmap.width()).arg(pixmap.height()));
        return label;
    }
    if (mime == QLatin1String("image/svg+xml")) {
        QSvgRenderer renderer(value.toUtf8());
        auto *label = new QLabel(parent);
        label->setObjectName(QStringLiteral("outputImage"));
        QSize size = renderer.defaultSize();
        if (!renderer.isValid() || size.isEmpty()) {
            label->setText(tr("[an SVG image that cannot be drawn]"));
            return label;
        }
        if (size.width() > kMaxImageWidth)
            size = size.scaled(kMaxImageWidth, kMaxImageWidth * 4, Qt::KeepAspectRatio);
        const qreal dpr = parent->devicePixelRatioF();
        QImage image(size * dpr, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(dpr);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)));
        painter.end();
        label->setPixmap(QPixmap::fromImage(image));
        label->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
        label->setProperty("outputText", QStringLiteral("[svg %1×%2]").arg(size.width()).arg(size.height()));
        return label;
    }
    // Rich text this large would freeze the view while it is laid out: show its plain-text
    // alternative (or its source) as a truncated text output instead.
    if (mime.startsWith(QLatin1String("text/")) && mime != QLatin1String("text/plain") && value.size() > kMaxRichChars) {
        QString notice;
        const QString plain = data.contains(QLatin1String("text/plain")) ? joinMultiline(data.value(QLatin1String("text/plain"))) : value;
        const QString text = shownTail(plain, &notice);
        auto *view = textView(noticeHtml(tr("The %1 output (%2 characters) is too large to show; its text is shown instead.")
                                             .arg(mime, QLocale().toString(value.size())))
                              + noticeHtml(notice) + preHtml(text));
        view->setProperty("outputText", stripAnsi(text));
        view->setProperty("outputTruncated", true);
        return view;
    }
    if (mime == QLatin1String("text/html")) {
        auto *view = textView(value);
        view->setProperty("outputText", view->toPlainText());
        return view;
    }
    if (mime == QLatin1String("text/markdown")) {
        auto *view = new AutoHeightBrowser(parent);
        view->setObjectName(QStringLiteral("outputText"));
        view->setMarkdown(value);
        view->setProperty("outputText", value);
        return view;
    }
    if (mime.startsWith(QLatin1String("text/"))) {
        QString notice;
        const QString text = shownTail(value, &notice);
        auto *view = textView(noticeHtml(notice) + preHtml(text));
        view->setProperty("outputText", stripAnsi(text));
        view->setProperty("outputTruncated", !notice.isEmpty());
        return view;
    }
    auto *label = new QLabel(tr("[%1 output: not shown here]").arg(mime.isEmpty() ? tr("empty") : mime), parent);
    label->setEnabled(false);
    label->setProperty("outputText", label->text());
    return label;
}

void OutputView::showInputRequest(const QString &prompt, bool password)
{
    hideInputRequest();
    m_inputRow = new QWidget(this);
    auto *row = new QHBoxLayout(m_inputRow);
    row->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(prompt.isEmpty() ? tr("Input:") : prompt, m_inputRow);
    m_input = new QLineEdit(m_inputRow);
    m_input->setObjectName(QStringLiteral("inputLine"));
    m_input->setEchoMode(password ? QLineEdit::Password : QLineEdit::Normal);
    row->addWidget(label);
    row->addWidget(m_input, 1);
    m_layout->addWidget(m_inputRow);
    connect(m_input, &QLineEdit::returnPressed, this, [this] {
        const QString value = m_input->text();
        hideInputRequest();
        Q_EMIT inputSubmitted(value);
    });
    setVisible(true);
    m_input->setFocus();
}

void OutputView::hideInputRequest()
{
    if (m_inputRow) {
        m_inputRow->deleteLater();
        m_inputRow->hide();
        m_inputRow = nullptr;
        m_input = nullptr;
    }
    setVisible(!m_outputs.isEmpty());
}

bool OutputView::hasInputRequest() const
{
    return m_inputRow != nullptr;
}

QString OutputView::plainText() const
{
    QStringList parts;
    for (QWidget *widget : m_widgets)
        parts << widget->property("outputText").toString();
    return parts.join(QLatin1Char('\n'));
}

} // namespace cairn::panels
