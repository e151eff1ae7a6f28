namespace Optimizer.Runtime;

/// <summary>
/// Makes <see cref="FineTuneAttribute"/> learn from a teacher's outputs (knowledge distillation):
/// loss = α·CE(labels) + (1−α)·T²·KL(teacher ‖ student), or the distillation term alone when
/// <see cref="FineTuneAttribute.Labels"/> is not set. The teacher is the original model unless
/// <see cref="Teacher"/> names another.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DistillAttribute : Attribute
{
    /// <summary>Softmax temperature T; default 4.</summary>
    public double Temperature { get; set; } = 4;

    /// <summary>Weight α of the label loss, from 0 to 1; default 0.7.</summary>
    public double Alpha { get; set; } = 0.7;

    /// <summary>A teacher model (<c>.onnx</c>, relative to the project folder) with the same inputs and outputs; default: the original model.</summary>
    public string? Teacher { get; set; }
}
