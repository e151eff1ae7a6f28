using Optimizer.Engine.Cli;
using Optimizer.Engine.Diagnostics;

namespace Optimizer.Engine.Plans;

/// <summary>
/// A plan from the command line instead of a plan file, so every pass the attributes declare is
/// also reachable by hand: <c>optimize --model m.onnx [--output o.onnx] --pass Quantize:Mode=StaticInt8,Calibration=c.npy --pass Prune:Sparsity=0.5</c>.
/// Option names and values are the attributes' (the same strings the MSBuild task writes), and
/// data paths are relative to the current folder.
/// </summary>
internal static class CommandLinePlan
{
    public const string Usage = "optimize --model <model.onnx> [--output <out.onnx>] [--pass <Pass>:<Option>=<value>,...]... " + PlanLoadLimits.Usage;

    public static OptimizationPlan From(IReadOnlyList<string> args, string model)
    {
        var modelPath = Path.GetFullPath(model);
        var output = Path.GetFullPath(ArgumentReader.Value(args, "--output")
            ?? Path.Combine(Path.GetDirectoryName(modelPath)!, Path.GetFileNameWithoutExtension(modelPath) + ".optimized.onnx"));
        var name = Path.GetFileNameWithoutExtension(output);
        var passes = ArgumentReader.Values(args, "--pass").Select(ParsePass).ToList();
        return new OptimizationPlan(
            OptimizationPlan.CurrentFormatVersion, name, ClassName: "", modelPath, model.Replace('\\', '/'),
            new DiagnosticLocation(modelPath), Path.GetDirectoryName(output)!, Directory.GetCurrentDirectory(), name + ".onnx", passes)
        {
            LoadLimits = PlanLoadLimits.FromArguments(args),
        };
    }

    private static PlannedPass ParsePass(string text)
    {
        var colon = text.IndexOf(':');
        var pass = (colon < 0 ? text : text[..colon]).Trim();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (var pair in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0)
                    throw new EngineException(EngineErrorCodes.Usage, $"'{pair}' in --pass {text} is not Option=value. Usage: {Usage}");
                options[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
            }
        }
        if (pass.Length == 0)
            throw new EngineException(EngineErrorCodes.Usage, $"--pass '{text}' names no pass. Usage: {Usage}");
        return new PlannedPass(pass, options, DeclaredAt: null);
    }
}
