import { describe, expect, it } from "vitest";
import { attachmentProblem } from "./api";

const file = (name: string, size: number) => ({ name, size }) as File;

describe("attachment pre-check (the server checks the bytes again)", () => {
  it("accepts PDF, PNG and JPEG names within 10 MB", () => {
    expect(["营业执照.pdf", "现场.PNG", "发票.jpg", "发票.jpeg"].map((n) => attachmentProblem(file(n, 1000)))).toEqual([null, null, null, null]);
  });
  it("names what is wrong in Chinese", () => {
    expect(attachmentProblem(file("报表.exe", 10))).toBe("“报表.exe”不是 PDF、PNG 或 JPEG 文件");
    expect(attachmentProblem(file("大.pdf", 10 * 1024 * 1024 + 1))).toBe("“大.pdf”超过 10 MB，请压缩或拆分后上传");
    expect(attachmentProblem(file("空.pdf", 0))).toBe("“空.pdf”是空文件");
  });
});
