using Optimizer.Compiler.Tests.Support;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Isa;

/// <summary>
/// The child side of the ISA-path tests: reads every <c>*.kernels</c> program and its
/// <c>*.input</c> (raw bytes, batch in <c>*.batch</c>) from a folder, runs it, writes
/// <c>*.output&lt;k&gt;</c>, and prints the kernel paths this process selected.
/// </summary>
internal static class IsaProbe
{
    public const string PathsPrefix = "kernel paths: ";

    public static int Run(string folder)
    {
        Console.WriteLine(PathsPrefix + KernelDispatch.Current);
        foreach (var file in Directory.GetFiles(folder, "*.kernels").Order(StringComparer.Ordinal))
        {
            using var program = KernelProgram.Read(File.ReadAllBytes(file));
            var stem = Path.ChangeExtension(file, null);
            var batch = int.Parse(File.ReadAllText(stem + ".batch"), System.Globalization.CultureInfo.InvariantCulture);
            using var executor = new KernelExecutor(program);
            var outputs = ProgramRunner.Run(executor, [File.ReadAllBytes(stem + ".input")], batch);
            for (var k = 0; k < outputs.Length; k++)
            {
                File.WriteAllBytes($"{stem}.output{k}", outputs[k]);
            }
        }

        return 0;
    }
}
