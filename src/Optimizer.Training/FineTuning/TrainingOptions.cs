using Optimizer.Passes;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Training.FineTuning;

/// <summary>
/// [FineTune] and [Distill] options, bound from the plan's strings by the pass schema: the attributes
/// are the typed options (their defaults are the usual recipe for recovering a pruned classifier:
/// Adam, lr 1e-3, one warm-up epoch then cosine decay to zero, batch 32).
/// </summary>
/// <param name="FineTune">The [FineTune] options.</param>
/// <param name="Distillation">The [Distill] options, or null when it is not declared.</param>
public sealed record TrainingOptions(FineTuneAttribute FineTune, DistillAttribute? Distillation)
{
    /// <summary>True when [Distill] is declared.</summary>
    public bool Distill => Distillation is not null;

    /// <summary>Binds the [FineTune] and (optional) [Distill] options.</summary>
    /// <exception cref="PassException">An unknown option or a value out of range (OPT1072).</exception>
    public static TrainingOptions Parse(IReadOnlyDictionary<string, string>? fineTune, IReadOnlyDictionary<string, string>? distill)
    {
        if (fineTune is null)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption,
                "[Distill] needs [FineTune] on the same model: it names the data, epochs and learning rate the distillation trains with.", PassSchema.Distill.Name);
        var options = new TrainingOptions(Bind<FineTuneAttribute>(fineTune, PassSchema.FineTune), distill is null ? null : Bind<DistillAttribute>(distill, PassSchema.Distill));
        if (string.IsNullOrEmpty(options.FineTune.Data))
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, "[FineTune] needs Data: the training inputs (.npy or raw float32 for one float input, .npz with one array per input).");
        if (options.FineTune.Labels is null && !options.Distill)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption,
                "[FineTune] without Labels has nothing to learn from: set Labels (one class index per sample), or add [Distill] to learn from the original model's outputs.");
        if (options.FineTune.ValidationLabels is not null && options.FineTune.Validation is null)
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, "[FineTune] ValidationLabels needs Validation: the inputs they label.");
        return options;
    }

    /// <summary>The schema's refusal, under training's own code.</summary>
    private static T Bind<T>(IReadOnlyDictionary<string, string> options, PassDescriptor pass)
        where T : Attribute
    {
        try
        {
            return OptionBinder.Bind<T>(options);
        }
        catch (PassException e)
        {
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption, $"[{pass.Name}] {e.Message}", pass.Name);
        }
    }
}
