using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>
/// The importance of every neuron and head of the found blocks: measured on the request's calibration data when it
/// names some (its own <c>Calibration</c>, or a StaticInt8 Quantize's), else the magnitude of their weights.
/// </summary>
internal sealed class EncoderImportance
{
    private readonly Dictionary<FfnBlock, double[]>? _neurons;
    private readonly Dictionary<AttentionBlock, double[]>? _heads;
    private readonly PruneNorm _norm;

    private EncoderImportance(PruneNorm norm, string ranking, Dictionary<FfnBlock, double[]>? neurons = null, Dictionary<AttentionBlock, double[]>? heads = null)
    {
        (_norm, Ranking, _neurons, _heads) = (norm, ranking, neurons, heads);
    }

    /// <summary>How the scores were made, for the report: <c>L2 magnitude</c> or <c>activations on '…'</c>.</summary>
    public string Ranking { get; }

    /// <summary>Measures <paramref name="ffns"/> and <paramref name="attentions"/> on the unpruned <paramref name="model"/> (call before changing it) when calibration data is at hand.</summary>
    public static EncoderImportance Measure(OnnxModel model, IReadOnlyList<FfnBlock> ffns, IReadOnlyList<AttentionBlock> attentions, PruneSettings settings, PassContext context)
    {
        var magnitude = new EncoderImportance(settings.Norm, $"{settings.Norm} magnitude");
        if (settings.Calibration is not { } key || ffns.Count + attentions.Count == 0)
        {
            return magnitude;
        }

        if (context.CalibrationData.GetValueOrDefault(key) is not SampleSet data)
        {
            return settings.CalibrationInherited ? magnitude
                : throw new PassException(PassErrorCodes.PruneCalibrationDataMissing,
                    $"Prune Calibration names '{key}', which was not loaded. Check the path (.npz with one array per input, a test_data_set folder, or .npy/raw float32 for a single input), or leave Calibration out to rank by weight magnitude.", PrunePass.Name);
        }

        if (context.Executor is not { } executor)
        {
            return settings.CalibrationInherited ? magnitude
                : throw new PassException(PassErrorCodes.BiasCorrectionExecutorMissing,
                    "Ranking encoder neurons and heads on the calibration data must run the float model, and no model executor was given. Pass a PassContext with an executor (OnnxRuntimeModelExecutor), or leave Calibration out to rank by weight magnitude.", PrunePass.Name);
        }

        var (neurons, heads) = ActivationImportance.Measure(model, ffns, attentions, data, executor);
        return new EncoderImportance(settings.Norm, $"activations on {data.Source}", neurons, heads);
    }

    public double[] Of(FfnBlock ffn) => _neurons?[ffn] ?? MagnitudeImportance.OfNeurons(ffn, _norm);

    public double[] Of(AttentionBlock attention) => _heads?[attention] ?? MagnitudeImportance.OfHeads(attention, _norm);
}
