using Optimizer.Engine.Supervision;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// The passes' model executor (ONNX Runtime) with each session and run recorded as the engine's
/// stage, so a crash inside ONNX Runtime during calibration or bias correction is named by the
/// supervisor (<see cref="EngineStage"/>). The passes themselves know nothing of supervision.
/// </summary>
internal sealed class StagedModelExecutor(IModelExecutor inner) : IModelExecutor
{
    private const string Stage = "calibrating: running the model in ONNX Runtime to observe its activations";

    /// <summary>The stage while the passes run outside ONNX Runtime (also entered before the pipeline starts).</summary>
    public const string PassesStage = "running the passes";

    public IModelSession Open(OnnxModel model, IReadOnlyList<string> observed)
    {
        EngineStage.Enter(Stage);
        return new Session(inner.Open(model, observed));
    }

    private sealed class Session(IModelSession inner) : IModelSession
    {
        public IReadOnlyList<FloatTensor> Run(IReadOnlyDictionary<string, DataTensor> inputs)
        {
            EngineStage.Enter(Stage);
            return inner.Run(inputs);
        }

        public void Dispose()
        {
            inner.Dispose();
            EngineStage.Enter(PassesStage);
        }
    }
}
