using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Runtime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// What a plan's models are timed with: the plan's Validation data (<c>[AccuracyBudget]</c>), else
/// its calibration data, else generated inputs at the plan's symbolic sizes (<c>[SymbolicDims]</c>
/// or the defaults) — never all-zero ids, and always at the shapes the data really has.
/// </summary>
internal static class TimingData
{
    private const string ValidationOption = nameof(AccuracyBudgetAttribute.Validation);

    /// <param name="compared">The declared samples verification already read, if any (the same choice of data): used as they are.</param>
    /// <exception cref="Diagnostics.EngineException">Declared data that cannot be read or does not fit the model (coded).</exception>
    public static TimingInputs For(OptimizationPlan plan, OnnxModel model, SampleSet? compared = null)
    {
        if (compared is { IsGenerated: false })
            return TimingInputs.From(compared);
        if (AccuracyBudgetSettings.From(plan) is { Validation: { } validation } budget)
            return TimingInputs.From(ModelDataReader.Read(plan, model, validation, ValidationOption, budget.DeclaredAt));
        if (plan.Passes.FirstOrDefault(p => p.Options.ContainsKey(CalibrationDataLoader.OptionName)) is { } calibrated)
            return TimingInputs.From(ModelDataReader.Read(plan, model, calibrated.Options[CalibrationDataLoader.OptionName], CalibrationDataLoader.OptionName, calibrated.DeclaredAt));
        return Generated(model, SymbolicDimSizes.From(plan));
    }

    /// <summary>
    /// For the CLI: the samples of <paramref name="data"/> (an .npz, a test-data folder, .npy or raw
    /// float32, read as any declared data is), else one generated feed at <paramref name="dims"/>.
    /// </summary>
    public static TimingInputs ForCommandLine(string modelPath, OnnxModel model, string? data, SymbolicDimSizes dims, int batch)
    {
        if (data is null)
            return Generated(model, dims, batch);
        var fullPath = Path.GetFullPath(modelPath);
        var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, Path.GetFileNameWithoutExtension(fullPath), "", fullPath,
            Path.GetFileName(fullPath), null, Path.GetDirectoryName(fullPath)!, Directory.GetCurrentDirectory(), "", []);
        return TimingInputs.From(ModelDataReader.Read(plan, model, data, "--data", null), batch);
    }

    /// <summary>One generated feed of <paramref name="batch"/> samples (where the model batches) at <paramref name="dims"/>.</summary>
    public static TimingInputs Generated(OnnxModel model, SymbolicDimSizes dims, int batch = 1) =>
        TimingInputs.From(GeneratedSamples.For(model, dims, batch), batch, dims.Describe(model));
}
