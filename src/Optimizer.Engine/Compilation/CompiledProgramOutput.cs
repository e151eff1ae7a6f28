// The compiled-kernel path at build time: after the passes, the optimized model goes through
// Optimizer.Compiler's KernelCompiler. When every node is covered, the program is written next to
// the optimized model as <Name>.kernels (the build targets embed it beside the .onnx) and the
// manifest lists the Compiled path and the kernels it calls; when not, the manifest says which
// nodes kept it from compiling and no .kernels file is left (a stale one from an earlier build is
// deleted, so it can never be embedded with a model it was not compiled from). Compilation never
// fails the build: the ONNX Runtime path is always there.

using Optimizer.Compiler;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;

namespace Optimizer.Engine.Compilation;

/// <summary>Compiles the optimized model into a kernel program for the generated class's compiled path.</summary>
internal static class CompiledProgramOutput
{
    /// <summary>The file next to <c>&lt;Name&gt;.onnx</c>.</summary>
    public static string FileName(OptimizationPlan plan) => plan.Name + ".kernels";

    /// <summary>The program's resource name: the model's, with <c>.kernels</c> for <c>.onnx</c> (what the runtime looks for).</summary>
    public static string ResourceName(string modelResourceName) =>
        (modelResourceName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? modelResourceName[..^5] : modelResourceName) + ".kernels";

    /// <summary>Compiles <paramref name="model"/>; returns the files to write (none when not covered) and the manifest's execution entry.</summary>
    public static (IReadOnlyList<(string FileName, byte[] Bytes)> Files, ManifestExecution Execution) Compile(OptimizationPlan plan, OnnxModel model)
    {
        CompileResult result;
        try
        {
            result = KernelCompiler.Compile(model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A compiler defect must not fail a build whose ONNX Runtime path is fine.
            result = new CompileResult(null, [new UnsupportedNode(model.Graph.Name, "Graph", $"the kernel compiler failed: {e.GetType().Name}: {e.Message}")]);
        }

        using var program = result.Program;
        if (program is null)
        {
            DeleteStale(plan);
            var reasons = result.Unsupported.Select(u => u.ToString()).Distinct(StringComparer.Ordinal).ToList();
            return ([], new ManifestExecution(["OnnxRuntime"], null, reasons));
        }

        var bytes = program.ToBytes();
        var kernels = program.Steps.Select(s => s.Kind.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var compiled = new ManifestCompiledProgram(ResourceName(plan.ResourceName), bytes.LongLength, program.Steps.Count, kernels)
        {
            Schedule = ScheduleText.Format(program),
        };
        return ([(FileName(plan), bytes)], new ManifestExecution(["OnnxRuntime", "Compiled"], compiled, []));
    }

    private static void DeleteStale(OptimizationPlan plan)
    {
        var path = Path.Combine(plan.OutputDirectory, FileName(plan));
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
