namespace Optimizer.Runtime;

/// <summary>
/// Fine-tunes the weights of the model declared by <see cref="OnnxModelAttribute"/> on the same
/// class at build time, after pruning and before quantization, so a pruned model recovers its
/// accuracy. Pruned weights stay pruned; the graph is not changed. Needs the
/// <c>Optimizer.Training</c> package (TorchSharp, CPU) referenced by the project.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class FineTuneAttribute : Attribute
{
    /// <summary>Training inputs: a <c>.npy</c> (float32, samples first) or raw float32 file shaped like the model's input, relative to the project folder.</summary>
    public string? Data { get; set; }

    /// <summary>One class index per sample: a <c>.npy</c> of integers or raw uint8 (one byte per sample). Optional with <see cref="DistillAttribute"/>.</summary>
    public string? Labels { get; set; }

    /// <summary>Passes over the data; default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Peak learning rate, reached after <see cref="WarmupEpochs"/> and decayed to zero on a cosine; default 0.001.</summary>
    public double LearningRate { get; set; } = 0.001;

    /// <summary>The optimizer; default <see cref="TrainingOptimizer.Adam"/>.</summary>
    public TrainingOptimizer Optimizer { get; set; }

    /// <summary>Samples per step; default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Seeds the shuffling and torch: the same seed and inputs give a byte-identical model; default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Epochs of linear learning-rate warm-up; default 1.</summary>
    public double WarmupEpochs { get; set; } = 1;

    /// <summary>Momentum of <see cref="TrainingOptimizer.Sgd"/>; default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay; default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Held-out inputs for the accuracy printed after each epoch (default: the training data).</summary>
    public string? Validation { get; set; }

    /// <summary>Labels of <see cref="Validation"/>.</summary>
    public string? ValidationLabels { get; set; }
}
