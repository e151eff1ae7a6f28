namespace Optimizer.Runtime;

/// <summary>
/// Makes <see cref="FineTuneAttribute"/> learn from a teacher's outputs (knowledge distillation):
/// for a classifier, loss = α·CE(labels) + (1−α)·T²·KL(teacher ‖ student), or the distillation term
/// alone when <see cref="FineTuneAttribute.Labels"/> is not set; for an encoder (token ids in,
/// <c>last_hidden_state</c> out) the cosine and relative MSE of the attention-mask mean-pooled
/// embeddings (<see cref="Loss"/>). The teacher is the original model unless <see cref="Teacher"/> names another.
/// </summary>
[OptimizationPass(PipelineStage.Training, "Makes FineTune learn from a teacher model's outputs (knowledge distillation).", ItemKey = nameof(Temperature), ItemPrefix = "Distill", Package = "Optimizer.Training")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class DistillAttribute : Attribute
{
    /// <summary>Softmax temperature T; default 4.</summary>
    [PassOption("Softmax temperature T.", Min = 0, MinExclusive = true, Max = 100)]
    public double Temperature { get; set; } = 4;

    /// <summary>Weight α of the label loss, from 0 to 1; default 0.7.</summary>
    [PassOption("Weight of the label loss, from 0 to 1.", Min = 0, Max = 1)]
    public double Alpha { get; set; } = 0.7;

    /// <summary>A teacher model (<c>.onnx</c>, relative to the project folder) with the same inputs and outputs; default: the original model.</summary>
    [PassOption("A teacher model (.onnx) with the same inputs and outputs; default: the original model.", DataFile = true)]
    public string? Teacher { get; set; }

    /// <summary>What the student matches: KL on logits, or cosine/MSE on the pooled embedding; default <see cref="DistillationLoss.Auto"/> (by the model's signature).</summary>
    [PassOption("What the student matches: Kl on logits, or Cosine/Mse/CosineMse on the mean-pooled embedding; Auto picks by the model's signature.")]
    public DistillationLoss Loss { get; set; }

    /// <summary>The input holding the attention mask the embedding is mean-pooled with; default <c>attention_mask</c> when the model has it (else a plain mean over tokens).</summary>
    [PassOption("The input whose 1s mark the tokens the embedding is mean-pooled over (default: attention_mask when present).")]
    public string? AttentionMask { get; set; }
}
