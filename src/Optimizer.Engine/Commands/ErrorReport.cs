using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;

namespace Optimizer.Engine.Commands;

/// <summary>Turns any failure while running a plan into one canonical, coded error line.</summary>
public static class ErrorReport
{
    public static string For(Exception exception, OptimizationPlan plan)
    {
        var model = plan.ModelPath;
        return exception switch
        {
            // Model problems point at the declaration (attribute or item), and name the model file.
            OnnxFormatException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", plan.DeclaredAt),
            PassException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", PassLocation(plan, e.Message)),
            EngineException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", plan.DeclaredAt ?? e.Location),
            _ => CanonicalError.Format(EngineErrorCodes.Unexpected,
                $"{model}: unexpected {exception.GetType().Name} while optimizing '{plan.Model}': {exception.Message} This is a bug in the optimizer; please report it with the model if you can.",
                plan.DeclaredAt),
        };
    }

    /// <summary>The attribute of the pass that failed, when the message names it; else the model's declaration.</summary>
    private static DiagnosticLocation? PassLocation(OptimizationPlan plan, string message)
    {
        var pass = plan.Passes.Count == 1
            ? plan.Passes[0]
            : plan.Passes.FirstOrDefault(p => message.Contains(p.Pass, StringComparison.Ordinal));
        return pass?.DeclaredAt ?? plan.DeclaredAt;
    }
}
