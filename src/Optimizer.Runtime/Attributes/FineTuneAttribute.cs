namespace Optimizer.Runtime;

/// <summary>
/// Fine-tunes the weights of the model declared by <see cref="OnnxModelAttribute"/> on the same
/// class at build time, after pruning and before quantization, so a pruned model recovers its
/// accuracy. Pruned weights stay pruned; the graph is not changed. Needs the
/// <c>Optimizer.Training</c> package (TorchSharp, CPU) referenced by the project.
/// </summary>
[OptimizationPass(PipelineStage.Training, "Fine-tunes the weights after pruning so the model recovers its accuracy.", ItemKey = nameof(Data), ItemPrefix = "FineTune", Package = "Optimizer.Training")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class FineTuneAttribute : Attribute
{
    /// <summary>Training inputs, relative to the project folder: a <c>.npy</c> (float32, samples first) or raw float32 file shaped like the model's one input, or an <c>.npz</c> with one array per model input (e.g. an encoder's int64 token ids).</summary>
    [PassOption("Training inputs (.npy/raw float32 for one input, .npz with one array per input), relative to the project folder.", DataFile = true)]
    public string? Data { get; set; }

    /// <summary>One class index per sample: a <c>.npy</c> of integers or raw uint8 (one byte per sample). Optional with <see cref="DistillAttribute"/>.</summary>
    [PassOption("One class index per training sample (.npy of integers or raw uint8).", DataFile = true)]
    public string? Labels { get; set; }

    /// <summary>Passes over the data; default 10.</summary>
    [PassOption("Passes over the data.", Min = 1, Max = 10000)]
    public int Epochs { get; set; } = 10;

    /// <summary>Peak learning rate, reached after <see cref="WarmupEpochs"/> and decayed to zero on a cosine; default 0.001.</summary>
    [PassOption("Peak learning rate (cosine decay after warm-up).", Min = 0, MinExclusive = true, Max = 10)]
    public double LearningRate { get; set; } = 0.001;

    /// <summary>The optimizer; default <see cref="TrainingOptimizer.Adam"/>.</summary>
    [PassOption("The optimizer.")]
    public TrainingOptimizer Optimizer { get; set; }

    /// <summary>Samples per step; default 32.</summary>
    [PassOption("Samples per step.", Min = 1, Max = 1048576)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Seeds the shuffling and torch: the same seed and inputs give a byte-identical model; default 0.</summary>
    [PassOption("Seeds shuffling and torch: the same seed gives the same model.")]
    public int Seed { get; set; }

    /// <summary>Epochs of linear learning-rate warm-up; default 1.</summary>
    [PassOption("Epochs of linear learning-rate warm-up.", Min = 0, Max = 10000)]
    public double WarmupEpochs { get; set; } = 1;

    /// <summary>Momentum of <see cref="TrainingOptimizer.Sgd"/>; default 0.9.</summary>
    [PassOption("Momentum of Optimizer=Sgd.", Min = 0, Max = 1, MaxExclusive = true)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay; default 0.</summary>
    [PassOption("L2 weight decay.", Min = 0, Max = 1)]
    public double WeightDecay { get; set; }

    /// <summary>Held-out inputs for the accuracy printed after each epoch (default: the training data).</summary>
    [PassOption("Held-out inputs for the per-epoch accuracy (default: the training data).", DataFile = true)]
    public string? Validation { get; set; }

    /// <summary>
    /// Encoder distillation stops after this many epochs without a better validation cosine (minimum
    /// over the samples, then mean); 0 trains every epoch. The best epoch's weights are kept either way.
    /// </summary>
    [PassOption("Encoder distillation: stop after this many epochs without a better validation cosine (0: never); the best epoch is kept.", Min = 0, Max = 10000)]
    public int Patience { get; set; }

    /// <summary>Labels of <see cref="Validation"/>.</summary>
    [PassOption("Labels of Validation.", DataFile = true)]
    public string? ValidationLabels { get; set; }
}
