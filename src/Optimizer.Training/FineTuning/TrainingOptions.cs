using System.Globalization;

namespace Optimizer.Training.FineTuning;

/// <summary>The optimizer a fine-tuning run uses.</summary>
public enum TrainingOptimizer
{
    /// <summary>Adam (β = 0.9, 0.999).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum (<see cref="TrainingOptions.Momentum"/>).</summary>
    Sgd,
}

/// <summary>
/// [FineTune] and [Distill] options, parsed from the plan's strings (attribute property names).
/// Defaults follow the usual recipe for recovering a pruned classifier: Adam, lr 1e-3, one warm-up
/// epoch then cosine decay to zero, batch 32.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The [FineTune] option names.</summary>
    public static readonly string[] FineTuneNames = ["Data", "Labels", "Epochs", "LearningRate", "Optimizer", "BatchSize", "Seed", "WarmupEpochs", "Momentum", "WeightDecay", "Validation", "ValidationLabels"];

    /// <summary>The [Distill] option names.</summary>
    public static readonly string[] DistillNames = ["Temperature", "Alpha", "Teacher"];

    /// <summary>Training inputs as declared (relative to the project).</summary>
    public string Data { get; init; } = "";

    /// <summary>Class labels as declared, or null (then [Distill] must be declared).</summary>
    public string? Labels { get; init; }

    /// <summary>Passes over the data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Peak learning rate (after warm-up).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam or SGD.</summary>
    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.Adam;

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds torch and the shuffling: the same seed gives byte-identical weights.</summary>
    public long Seed { get; init; }

    /// <summary>Epochs of linear warm-up before the cosine decay.</summary>
    public double WarmupEpochs { get; init; } = 1;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Held-out inputs for the per-epoch accuracy, or null.</summary>
    public string? Validation { get; init; }

    /// <summary>Labels of <see cref="Validation"/>, or null.</summary>
    public string? ValidationLabels { get; init; }

    /// <summary>True when [Distill] is declared.</summary>
    public bool Distill { get; init; }

    /// <summary>Softmax temperature T of the distillation term.</summary>
    public double Temperature { get; init; } = 4;

    /// <summary>Weight α of the label (cross-entropy) term; 1 − α weighs the distillation term.</summary>
    public double Alpha { get; init; } = 0.7;

    /// <summary>Teacher model as declared, or null for the original model.</summary>
    public string? Teacher { get; init; }

    /// <summary>Parses the [FineTune] and (optional) [Distill] options.</summary>
    /// <exception cref="Optimizer.Passes.PassException">An unknown option or a value out of range (OPT1072).</exception>
    public static TrainingOptions Parse(IReadOnlyDictionary<string, string>? fineTune, IReadOnlyDictionary<string, string>? distill)
    {
        if (fineTune is null)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption,
                "[Distill] needs [FineTune] on the same model: it names the data, epochs and learning rate the distillation trains with.", "Distill");
        Reject(fineTune, FineTuneNames, "FineTune");
        if (distill is not null) Reject(distill, DistillNames, "Distill");
        string? Get(IReadOnlyDictionary<string, string>? o, string name) => o?.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

        var options = new TrainingOptions
        {
            Data = Get(fineTune, "Data") is { Length: > 0 } data ? data
                : throw TrainingException.Create(TrainingErrorCodes.InvalidOption, "[FineTune] needs Data: the training inputs (.npy or raw float32)."),
            Labels = Get(fineTune, "Labels"),
            Epochs = (int)Number(Get(fineTune, "Epochs"), 10, 1, 10_000, "FineTune", "Epochs"),
            LearningRate = Number(Get(fineTune, "LearningRate"), 1e-3, 1e-9, 10, "FineTune", "LearningRate"),
            Optimizer = Get(fineTune, "Optimizer") switch
            {
                null or "" => TrainingOptimizer.Adam,
                var o when o.Equals("Adam", StringComparison.OrdinalIgnoreCase) => TrainingOptimizer.Adam,
                var o when o.Equals("Sgd", StringComparison.OrdinalIgnoreCase) => TrainingOptimizer.Sgd,
                var o => throw TrainingException.Create(TrainingErrorCodes.InvalidOption, $"[FineTune] Optimizer must be Adam or Sgd, not '{o}'."),
            },
            BatchSize = (int)Number(Get(fineTune, "BatchSize"), 32, 1, 1 << 20, "FineTune", "BatchSize"),
            Seed = (long)Number(Get(fineTune, "Seed"), 0, long.MinValue, long.MaxValue, "FineTune", "Seed"),
            WarmupEpochs = Number(Get(fineTune, "WarmupEpochs"), 1, 0, 10_000, "FineTune", "WarmupEpochs"),
            Momentum = Number(Get(fineTune, "Momentum"), 0.9, 0, 0.999999, "FineTune", "Momentum"),
            WeightDecay = Number(Get(fineTune, "WeightDecay"), 0, 0, 1, "FineTune", "WeightDecay"),
            Validation = Get(fineTune, "Validation"),
            ValidationLabels = Get(fineTune, "ValidationLabels"),
            Distill = distill is not null,
            Temperature = Number(Get(distill, "Temperature"), 4, 0.01, 100, "Distill", "Temperature"),
            Alpha = Number(Get(distill, "Alpha"), 0.7, 0, 1, "Distill", "Alpha"),
            Teacher = Get(distill, "Teacher") is { Length: > 0 } teacher ? teacher : null,
        };
        if (options.Labels is null && !options.Distill)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption,
                "[FineTune] without Labels has nothing to learn from: set Labels (one class index per sample), or add [Distill] to learn from the original model's outputs.");
        if (options.ValidationLabels is not null && options.Validation is null)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, "[FineTune] ValidationLabels needs Validation: the inputs they label.");
        return options;
    }

    private static void Reject(IReadOnlyDictionary<string, string> options, string[] known, string pass)
    {
        var unknown = options.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase));
        if (unknown is not null)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, $"[{pass}] has no option '{unknown}'. Its options are: {string.Join(", ", known)}.", pass);
    }

    private static double Number(string? text, double fallback, double min, double max, string pass, string name)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < min || value > max)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, $"[{pass}] {name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'.", pass);
        return value;
    }
}
