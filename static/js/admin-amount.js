/* The reading of an amount in won beside its admin input, as the clerk types: "9,008억 원" in
   Korean, "KRW 900.8 bn" in English. The server writes the same reading when the page opens
   (jeonju.money.format_krw; keep the two in step). */
(function () {
  "use strict";

  var language = (document.documentElement.lang || "ko").slice(0, 2);

  function grouped(number) {
    return number.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function korean(amount) {
    var units = [[1000000000000n, "조"], [100000000n, "억"], [10000n, "만"]];
    var parts = [];
    units.forEach(function (unit) {
      var count = amount / unit[0];
      amount = amount % unit[0];
      if (count > 0n) {
        parts.push(grouped(count) + unit[1]);
      }
    });
    if (amount > 0n || parts.length === 0) {
      parts.push(grouped(amount));
    }
    return parts.join(" ") + " 원";
  }

  function english(amount) {
    var sizes = [[1e12, "tn"], [1e9, "bn"], [1e6, "M"]];
    var value = Number(amount);
    for (var i = 0; i < sizes.length; i += 1) {
      if (value >= sizes[i][0]) {
        return "KRW " + (value / sizes[i][0]).toFixed(2).replace(/\.?0+$/, "") + " " + sizes[i][1];
      }
    }
    return "KRW " + grouped(amount);
  }

  function reading(text) {
    text = text.trim();
    if (!/^\d+$/.test(text)) {
      return "";
    }
    var amount = BigInt(text);
    return language === "ko" ? korean(amount) : english(amount);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("amount-input")) {
      return;
    }
    var output = input.nextElementSibling;
    if (output && output.classList.contains("amount-reading")) {
      output.textContent = reading(input.value);
    }
  });
})();
