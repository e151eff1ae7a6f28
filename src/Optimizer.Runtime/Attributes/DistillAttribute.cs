namespace Optimizer.Runtime;

/// <summary>
/// Makes <see cref="FineTuneAttribute"/> learn from a teacher's outputs (knowledge distillation):
/// loss = α·CE(labels) + (1−α)·T²·KL(teacher ‖ student), or the distillation term alone when
/// <see cref="FineTuneAttribute.Labels"/> is not set. The teacher is the original model unless
/// <see cref="Teacher"/> names another.
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
}
