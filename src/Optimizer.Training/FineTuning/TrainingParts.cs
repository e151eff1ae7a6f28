using System.Globalization;
using Optimizer.Runtime;
using Optimizer.Training.Conversion;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Optimizer.Training.FineTuning;

/// <summary>What every training loop here shares: the seeded start, the optimizer, the schedule, pruning masks, the divergence check.</summary>
internal static class TrainingParts
{
    /// <summary>Seeds torch and fixes its thread count (<see cref="FineTuner.Threads"/>) so the same inputs give the same weights.</summary>
    public static void Start(FineTuneAttribute options)
    {
        Native.TorchNativeLibrary.EnsureLoaded();
        torch.set_num_threads(FineTuner.Threads);
        torch.manual_seed(options.Seed);
        // torch.use_deterministic_algorithms is not implemented by TorchSharp 0.107; the CPU kernels these
        // graphs use (matmul, convolution, pooling and their gradients) are deterministic for a fixed
        // thread count, which Optimizer.Training.Tests checks (same seed → byte-identical model).
    }

    /// <summary>Adam or SGD with momentum, as declared.</summary>
    public static optim.Optimizer Optimizer(IEnumerable<Parameter> parameters, FineTuneAttribute options) =>
        options.Optimizer == TrainingOptimizer.Adam
            ? optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay)
            : optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay);

    /// <summary>Warm-up then cosine decay over every step of every epoch.</summary>
    public static LearningRateSchedule Schedule(FineTuneAttribute options, int count)
    {
        var stepsPerEpoch = (count + options.BatchSize - 1) / options.BatchSize;
        return new LearningRateSchedule(options.LearningRate, (long)Math.Round(options.WarmupEpochs * stepsPerEpoch), (long)options.Epochs * stepsPerEpoch);
    }

    /// <summary>The shuffle, drawn from the seed.</summary>
    public static Random Shuffle(FineTuneAttribute options)
    {
        long seed = options.Seed;
        return new Random(unchecked((int)seed ^ (int)(seed >> 32)));
    }

    /// <summary>Weight tensors (rank ≥ 2) holding exact zeros: those zeros are pruned weights and stay zero.</summary>
    public static List<(Parameter Parameter, Tensor Pruned)> Masks(TorchGraph graph) =>
        graph.Parameters.Values.Where(p => p.dim() >= 2)
            .Select(p => (Parameter: p, Pruned: p.detach().eq(0)))
            .Where(m => m.Pruned.any().item<bool>())
            .ToList();

    /// <summary>One optimizer step that leaves pruned weights at exactly +0 (gradients and values re-zeroed).</summary>
    public static void Step(optim.Optimizer optimizer, Tensor loss, List<(Parameter Parameter, Tensor Pruned)> masks)
    {
        optimizer.zero_grad();
        loss.backward();
        using (torch.no_grad())
        {
            foreach (var (parameter, pruned) in masks) parameter.grad!.masked_fill_(pruned, 0);
        }
        optimizer.step();
        using (torch.no_grad())
        {
            // Exactly +0 (not -0 from a multiply): pruned weights stay pruned, bit for bit.
            foreach (var (parameter, pruned) in masks) parameter.masked_fill_(pruned, 0);
        }
    }

    /// <summary>The loss's value; OPT1076 when it is NaN or infinite.</summary>
    public static float CheckedValue(Tensor loss, int epoch, FineTuneAttribute options)
    {
        var value = loss.item<float>();
        if (!float.IsFinite(value))
            throw TrainingException.Create(TrainingErrorCodes.Diverged,
                $"training diverged at epoch {epoch} (loss {value.ToString(CultureInfo.InvariantCulture)}). Lower LearningRate (now {options.LearningRate.ToString(CultureInfo.InvariantCulture)}).");
        return value;
    }
}
