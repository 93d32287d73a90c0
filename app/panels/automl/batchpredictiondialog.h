#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace cairn::gui {
class HostPicker;
}

namespace cairn::panels {

/// Scores a CSV with an AutoML run's best model and writes the predictions to another CSV, as
/// `cairn predict --model RUN --output FILE` does (a prediction column, then one probability
/// column per class): the model is loaded with loadPredictor and applied off the GUI thread.
class BatchPredictionDialog : public QDialog
{
    Q_OBJECT
public:
    /// modelDir: the run's model folder (a single model or an ensemble card).
    BatchPredictionDialog(const QString &modelDir, const QString &runUuid, QWidget *parent = nullptr);
    ~BatchPredictionDialog() override;

    void setInputPath(const QString &path);
    void setOutputPath(const QString &path);
    /// Starts scoring; false (with the reason shown) when the paths are not usable.
    bool start();
    bool isRunning() const;

    QLineEdit *inputEdit() const { return m_input; }
    QLineEdit *outputEdit() const { return m_output; }
    QPushButton *startButton() const { return m_start; }
    QLabel *statusLabel() const { return m_status; }
    gui::HostPicker *hostPicker() const { return m_host; }

Q_SIGNALS:
    /// The prediction ended: ok with the output written, or not with the reason in the status.
    void predictionFinished(bool ok);

private:
    QString problem() const;
    void updateState();

    QString m_modelDir;
    QString m_runUuid;
    QLineEdit *m_input;
    QLineEdit *m_output;
    QPushButton *m_start;
    QLabel *m_status;
    gui::HostPicker *m_host = nullptr;
    bool m_running = false;
    bool m_showingResult = false; ///< the status tells how the last prediction went
    bool m_outputTouched = false;
};

} // namespace cairn::panels
