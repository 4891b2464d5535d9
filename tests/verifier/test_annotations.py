"""An annotation (Java, Kotlin) or attribute (C#, PHP) taken off a declaration the edit
keeps is a loss, as the declaration itself would be: a permission check
(``@PreAuthorize``, ``[Authorize]``, ``#[IsGranted]``), a route, a transaction, a
serialized name is code a suite may never reach.

Before, the guard compared names only: in a Java project whose ``Accounts.close`` is
checked by ``@RequiresRole("admin")`` (read by reflection, as Spring reads
``@PreAuthorize``) and whose test calls it as an admin, an edit taking the annotation off
compiled, its test passed, and ``acrouter verify`` said *pass*.  An annotation the
instruction names beside a removal word, one that goes with its declaration, one
reordered or given other arguments, and ``@Override``, ``@SuppressWarnings`` or a
test's ``@Disabled`` (the test then runs) are no loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_javac, verifier, write_tree

ACCOUNTS = """\
package bank;

import java.lang.reflect.Method;

@Service
public class Accounts {
    @RequiresRole("admin")
    @Audited(
        category = "close",
        level = 2)
    public String close(String user, String id) throws Exception {
        check(user, "close");
        return "closed " + id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public String toString() { return "accounts"; }

    @Inject private Ledger ledger;

    static void check(String user, String name) throws Exception {
        Method m = Accounts.class.getMethod(name, String.class, String.class);
        RequiresRole role = m.getAnnotation(RequiresRole.class);
        if (role != null && !role.value().equals(user)) {
            throw new SecurityException(user + " may not " + name);
        }
    }
}
"""
ANNOTATIONS = """\
package bank;

import java.lang.annotation.*;

@Retention(RetentionPolicy.RUNTIME) @interface RequiresRole { String value(); }
@Retention(RetentionPolicy.RUNTIME) @interface Audited { String category(); int level(); }
@Retention(RetentionPolicy.RUNTIME) @interface Service {}
@Retention(RetentionPolicy.RUNTIME) @interface Inject {}
class Ledger {}
"""
RUN_TEST = """\
package bank;

public class RunTest {
    public static void main(String[] args) throws Exception {
        if (!new Accounts().close("admin", "7").equals("closed 7")) {
            System.exit(1);
        }
        System.out.println("ok");
    }
}
"""
RUN_SH = "set -e\njavac -d build src/bank/*.java test/bank/*.java\njava -cp build bank.RunTest\n"
PATH = "src/bank/Accounts.java"


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ('    @RequiresRole("admin")\n', "", ["@RequiresRole on Accounts.close"]),
        (
            '    @Audited(\n        category = "close",\n        level = 2)\n',
            "",
            ["@Audited on Accounts.close"],
        ),
        ("@Service\n", "", ["@Service on Accounts"]),  # (the top-level class's)
        ("@Inject private", "private", ["@Inject on Accounts.ledger"]),
    ],
)
def test_a_java_annotation_taken_off_a_kept_declaration_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    edited = ACCOUNTS.replace(old, new)
    assert edited != ACCOUNTS
    assert dropped_definitions(ACCOUNTS, edited, PATH) == lost
    name = lost[0].split()[0].removeprefix("@")
    for instruction in (f"Remove {name}", "Drop the annotations"):
        assert dropped_definitions(ACCOUNTS, edited, PATH, instruction=instruction) == []


def test_what_keeps_every_annotation_or_only_loosens_a_check_is_no_loss() -> None:
    same = [
        # reordered, another argument, over one line, a compiler's hint gone
        ACCOUNTS.replace(
            '    @RequiresRole("admin")\n    @Audited(\n        category = "close",\n        level = 2)\n',
            '    @Audited(category = "close", level = 2)\n    @RequiresRole("admin")\n',
        ),
        ACCOUNTS.replace('@RequiresRole("admin")', '@RequiresRole("root")'),
        ACCOUNTS.replace("@Inject private", "@javax.inject.Inject private"),  # (qualified)
        ACCOUNTS.replace(
            '(\n        category = "close",\n        level = 2)', '(category = "close", level = 2)'
        ),
        ACCOUNTS.replace("    @Override\n", "").replace('    @SuppressWarnings("unchecked")\n', ""),
    ]
    for edited in same:
        assert edited != ACCOUNTS
        assert dropped_definitions(ACCOUNTS, edited, PATH) == [], edited
    # close gone is close's loss, not its annotations' too
    start, end = ACCOUNTS.index('    @RequiresRole("admin")'), ACCOUNTS.index("    @Override")
    assert dropped_definitions(ACCOUNTS, ACCOUNTS[:start] + ACCOUNTS[end:], PATH) == [
        "Accounts.close"
    ]


def test_kotlin_csharp_and_php_annotations_and_attributes_are_read_too() -> None:
    kotlin = """\
package bank

@Serializable
data class User(@SerialName("user_name") val name: String) {
    @Transient
    val cache: Int = 0

    @Disabled
    fun slowCheck() = Unit
}
"""
    assert dropped_definitions(
        kotlin, kotlin.replace('@SerialName("user_name") ', ""), "User.kt"
    ) == ["@SerialName on User.name"]
    assert dropped_definitions(kotlin, kotlin.replace("    @Transient\n", ""), "User.kt") == [
        "@Transient on User.cache"
    ]
    assert dropped_definitions(kotlin, kotlin.replace("    @Disabled\n", ""), "User.kt") == []
    # a header's parameters above a member are no annotations of it (React Native's
    # ViewAtIndex: ``@JvmField`` had been read as ``equals``'s through the ")" of ``) {``)
    header = """\
class ViewAtIndex(
    @JvmField val tag: Int,
    @JvmField val index: Int,
) {
    override fun equals(other: Any?): Boolean = other === this
}
"""
    edited = header.replace("    @JvmField val index: Int,\n", "")
    assert dropped_definitions(header, edited, "ViewAtIndex.kt") == ["ViewAtIndex.index"]
    csharp = """\
namespace Bank;

[Authorize]
public class AdminController : Controller
{
    [HttpPost, Authorize(Roles = "Admin")]
    public IActionResult Close(int id) => Ok();
}
"""
    edited = csharp.replace('[HttpPost, Authorize(Roles = "Admin")]', "[HttpPost]")
    assert dropped_definitions(csharp, edited, "Admin.cs") == [
        "[Authorize] on AdminController.Close"
    ]
    edited = csharp.replace("[Authorize]\n", "")
    assert dropped_definitions(csharp, edited, "Admin.cs") == ["[Authorize] on AdminController"]
    # an attribute list split in two, or written with its suffix, keeps every attribute
    for same in (
        csharp.replace(
            '[HttpPost, Authorize(Roles = "Admin")]', '[HttpPost]\n    [Authorize(Roles = "Admin")]'
        ),
        csharp.replace("[Authorize]\n", "[AuthorizeAttribute]\n"),
    ):
        assert dropped_definitions(csharp, same, "Admin.cs") == [], same
    php = """\
<?php
namespace App;

class Admin
{
    #[Route('/admin/close'), IsGranted('ROLE_ADMIN')]
    public function close(int $id): void {}
}
"""
    edited = php.replace(", IsGranted('ROLE_ADMIN')", "")
    assert dropped_definitions(php, edited, "Admin.php") == ["#[IsGranted] on Admin::close"]


@needs_javac
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_check_before_the_tests_pass_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    files = {
        PATH: ACCOUNTS,
        "src/bank/Annotations.java": ANNOTATIONS,
        "test/bank/RunTest.java": RUN_TEST,
        "run.sh": RUN_SH,
    }
    root = write_tree(tmp_path / "bank", files)
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={PATH: ACCOUNTS.replace('    @RequiresRole("admin")\n', "")})
    v = verify_edit(ver, str(root), edit, "sh run.sh")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "did not ask to remove: @RequiresRole on Accounts.close" in v.detail, v.detail
    # the tests cannot tell: with the removal allowed they build, run and pass
    allowed = verify_edit(ver, str(root), edit, "sh run.sh", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail


NEST_TS = """\
import { Controller, Get, UseGuards } from '@nestjs/common';

@Controller('admin')
@UseGuards(RolesGuard)
export class AdminController {
  @Get('users')
  @Roles('admin')
  list() {
    return [];
  }

  @HostListener('click', ['$event']) @Throttle.limit(3) onClick(e: Event) {}
}

@Injectable() export class Audit {}
"""


def test_a_typescript_decorator_taken_off_a_kept_class_or_member_is_lost() -> None:
    """NestJS checks a route's guard (``@UseGuards``) and roles (``@Roles``) from their
    decorators; a suite that calls the controller's methods directly passes without
    them."""
    cases = [
        ("@UseGuards(RolesGuard)\n", "", ["@UseGuards on AdminController"]),
        ("  @Roles('admin')\n", "", ["@Roles on AdminController.list"]),
        (" @Throttle.limit(3)", "", ["@Throttle.limit on AdminController.onClick"]),
        # (a class decorated on its own line was not read at all)
        ("@Injectable() export", "export", ["@Injectable on Audit"]),
    ]
    for old, new, lost in cases:
        edited = NEST_TS.replace(old, new)
        assert edited != NEST_TS
        assert dropped_definitions(NEST_TS, edited, "admin.controller.ts") == lost, old
        name = lost[0].split()[0].removeprefix("@").split(".")[-1]
        for instruction in (f"Remove {name}", "remove the decorators"):
            assert dropped_definitions(NEST_TS, edited, "a.ts", instruction=instruction) == []
    same = [
        NEST_TS.replace("@Get('users')", "@Get('people')"),  # another argument
        NEST_TS.replace("@Throttle.limit(3)", "@limit(3)"),  # (called by its own name)
        NEST_TS.replace(
            "@Controller('admin')\n@UseGuards(RolesGuard)",
            "@UseGuards(RolesGuard) @Controller('admin')",
        ),
        NEST_TS.replace("  list() {\n    return [];\n  }", "  list() {\n    return ['all'];\n  }"),
    ]
    for edited in same:
        assert edited != NEST_TS
        assert dropped_definitions(NEST_TS, edited, "admin.controller.ts") == [], edited
    # list gone is list's loss, not its decorators' too
    start, end = NEST_TS.index("  @Get('users')"), NEST_TS.index("  @HostListener")
    without = NEST_TS[:start] + NEST_TS[end:]
    assert dropped_definitions(NEST_TS, without, "admin.controller.ts") == ["AdminController.list"]
