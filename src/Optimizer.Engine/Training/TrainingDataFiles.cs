using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

// Training reads its data files exactly as [AccuracyBudget] reads Validation and Labels (.npy, or raw
// float32 shaped like the model input; labels as .npy integers or raw uint8): the same readers.
namespace Optimizer.Engine.Verification;

internal static partial class VerificationData
{
    /// <summary>Samples for the model's single input, as <c>Validation</c> is read.</summary>
    internal static CalibrationDataSet ReadTrainingSamples(OptimizationPlan plan, OnnxModel model, string declared, string option, DiagnosticLocation? at) =>
        DataFiles.SingleInputSamples.ReadFloats(plan, model, new DataFiles.DataSubject(option, declared, at));

    /// <summary>Class labels, as <c>Labels</c> is read.</summary>
    internal static int[] ReadTrainingLabels(OptimizationPlan plan, string declared, DiagnosticLocation? at) => ReadLabels(plan, declared, at);
}
